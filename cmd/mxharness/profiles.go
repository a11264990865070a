package main

import (
	"slices"
	"strings"

	"github.com/mxharness/mxharness/simulator"
)

// profileLedger returns the ledger the suite judges a simulator profile
// with: a release line's profile (maxscale-MAJOR.MINOR) deviates exactly as
// the ledger of the same name records, the documented one not at all. ok is
// false for a profile the simulator does not have.
func profileLedger(profile string) (ledger string, ok bool) {
	names, err := simulator.Profiles()
	if err != nil || !slices.Contains(names, profile) {
		return "", false
	}
	if profile == simulator.ProfileDocumented {
		return "", true
	}
	return profile, true
}

// profileList is the profiles for help texts and errors: "a, b or c".
func profileList() string {
	names, err := simulator.Profiles()
	if err != nil || len(names) == 0 {
		return simulator.ProfileMaxScale
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
