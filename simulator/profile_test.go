package simulator

import (
	"slices"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/spec"
)

// TestProfilesFromContract checks that the profiles are exactly the release
// lines the contract's x-observed records name, and that each reproduces
// the non-security deviations recorded for its line and no other.
func TestProfilesFromContract(t *testing.T) {
	names, err := Profiles()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names, ProfileDocumented) || !slices.Contains(names, ProfileMaxScale) {
		t.Fatalf("Profiles() = %v, want %s and %s among them", names, ProfileDocumented, ProfileMaxScale)
	}
	devs, err := spec.Deviations()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		p, err := loadProfile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range devs {
			recorded := false
			for _, v := range d.Versions {
				recorded = recorded || "maxscale-"+releaseLine(v) == name
			}
			if want := recorded && !d.Security; p.observed(d.ID) != want {
				t.Errorf("profile %s reproduces %s = %v, want %v (versions %v, security %v)", name, d.ID, p.observed(d.ID), want, d.Versions, d.Security)
			}
		}
	}
	if _, err := loadProfile("maxscale-2.5"); err == nil || !strings.Contains(err.Error(), ProfileMaxScale) {
		t.Errorf("loadProfile(maxscale-2.5) error = %v, want unknown profile listing the known ones", err)
	}
}

// Each release profile reports the newest version of its line that the
// contract records.
func TestProfileVersion(t *testing.T) {
	for name, want := range map[string]string{ProfileDocumented: MaxScaleVersion, "maxscale-24.02": "24.02.4", "maxscale-23.08": "23.08.6", "maxscale-24.08": "24.08.0"} {
		p, err := loadProfile(name)
		if err != nil {
			t.Fatal(err)
		}
		if p.version != want {
			t.Errorf("profile %s reports version %q, want %q", name, p.version, want)
		}
	}
	for _, tc := range []struct {
		a, b string
		want bool
	}{{"23.08.6", "", true}, {"23.08.10", "23.08.9", true}, {"23.08.6", "23.08.6", false}, {"24.02.4", "24.08.0", false}} {
		if got := newerVersion(tc.a, tc.b); got != tc.want {
			t.Errorf("newerVersion(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestReleaseLine(t *testing.T) {
	for in, want := range map[string]string{"24.02.4": "24.02", "23.08.6": "23.08", "24.08": "24.08", "25": "25"} {
		if got := releaseLine(in); got != want {
			t.Errorf("releaseLine(%q) = %q, want %q", in, got, want)
		}
	}
}
