package simulator

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/mxharness/mxharness/spec"
)

// Profile names.
const (
	// ProfileMaxScale, the default, behaves like MaxScale 24.02.4: every
	// deviation the contract records for it, except security flaws. Every
	// other release line the contract records has a profile of its own
	// (Profiles).
	ProfileMaxScale = "maxscale-24.02"
	// ProfileDocumented behaves as the documentation says.
	ProfileDocumented = "documented"
)

// Deviation ids (spec x-observed) the REST layer consults. The auth
// package consults its own through the same profile.
const (
	devWriteStatus200        = "write-status-200"
	devTwoDigitYear          = "date-two-digit-year"
	devJSONPathSingle400     = "jsonpath-filter-on-single-400"
	devOptionsAccept         = "options-accept-not-allow"
	devKnownMethod404        = "known-method-404-not-405"
	devFilterDeferred        = "filter-relationship-deferred-while-busy"
	devFilterErrorEmpty400   = "filter-relationship-error-empty-400"
	devIfMatchAppliesThen    = "if-match-applies-then-412"
	devRestartDeferred       = "restart-deferred-to-next-query"
	devStaticNoContentType   = "static-error-no-content-type"
	devContentTypeNotChecked = "content-type-not-checked"
	devETagEveryGet          = "etag-changes-on-every-get"
	devNoAcceptPatch         = "no-accept-patch"
	devNoLogDebug            = "no-log-debug"
	devDocFilterShape        = "patch-documented-filter-shape-ignored"
	devPageSizeJunk          = "page-size-trailing-junk-accepted"
	devIDString              = "id-is-string-in-filters"
	devStaleError            = "stale-error-in-next-reply"
	devFilterExprIgnored     = "filter-expressions-ignored"
	devJSONPathIgnored       = "jsonpath-filter-ignored"
	devFilterRelURLIgnored   = "filter-relationship-url-ignored"
	devPatchErrorEmpty400    = "patch-error-empty-400"
	devNotFoundThrottled     = "not-found-error-throttled"
)

// profile is the set of observed deviations a simulator reproduces. It is
// read from spec.Deviations(), so a deviation the contract stops recording
// stops being reproduced.
type profile struct {
	name string
	ids  map[string]bool
	// omit is what the profile's deviations leave out of a session
	// resource (nil when nothing).
	omit *omission
	// version is what /v1/maxscale and the core modules report: the
	// newest version of the line the contract records (MaxScaleVersion
	// for documented).
	version string
}

// releasePrefix starts the name of every profile that behaves like a
// MaxScale release line: "maxscale-" + MAJOR.MINOR.
const releasePrefix = "maxscale-"

// Profiles returns the profile names: "documented" and one per MaxScale
// release line (MAJOR.MINOR) that the contract's x-observed records name in
// their versions, sorted. A release line gets a profile by being recorded,
// not by code.
func Profiles() ([]string, error) {
	devs, err := spec.Deviations()
	if err != nil {
		return nil, err
	}
	lines := map[string]bool{}
	for _, d := range devs {
		for _, v := range d.Versions {
			lines[releaseLine(v)] = true
		}
	}
	out := []string{ProfileDocumented}
	for l := range lines {
		out = append(out, releasePrefix+l)
	}
	slices.Sort(out)
	return out, nil
}

// releaseLine is the MAJOR.MINOR of a version such as "24.02.4".
func releaseLine(version string) string {
	if i := strings.IndexByte(version, '.'); i >= 0 {
		if j := strings.IndexByte(version[i+1:], '.'); j >= 0 {
			return version[:i+1+j]
		}
	}
	return version
}

func loadProfile(name string) (*profile, error) {
	p := &profile{name: name, ids: map[string]bool{}, version: MaxScaleVersion}
	if name == ProfileDocumented {
		return p, nil
	}
	known, err := Profiles()
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", name, err)
	}
	if !slices.Contains(known, name) {
		return nil, fmt.Errorf("unknown profile %q (known: %s)", name, strings.Join(known, ", "))
	}
	devs, err := spec.Deviations()
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", name, err)
	}
	line := strings.TrimPrefix(name, releasePrefix)
	p.version = ""
	for _, d := range devs {
		for _, v := range d.Versions {
			if releaseLine(v) == line && newerVersion(v, p.version) {
				p.version = v
			}
		}
	}
	for _, d := range devs {
		if d.Security { // a flaw or crash is never reproduced
			continue
		}
		if slices.ContainsFunc(d.Versions, func(v string) bool { return releaseLine(v) == line }) {
			p.ids[d.ID] = true
			p.omit = p.omit.with(sessionPointers(d)...)
		}
	}
	return p, nil
}

// sessionPointers returns the absent properties that d records for the
// session documents (getSession's /data/…, listSessions' /data/*/…) as
// pointers into one session resource.
func sessionPointers(d spec.Deviation) []string {
	var out []string
	for _, ptr := range d.Absent {
		switch {
		case strings.HasPrefix(ptr, "/data/*/"):
			if slices.Contains(d.Operations, "listSessions") {
				out = append(out, strings.TrimPrefix(ptr, "/data/*"))
			}
		case strings.HasPrefix(ptr, "/data/"):
			if slices.Contains(d.Operations, "getSession") {
				out = append(out, strings.TrimPrefix(ptr, "/data"))
			}
		}
	}
	return out
}

// newerVersion reports whether version a (MAJOR.MINOR.PATCH) is newer than
// b; every version is newer than "".
func newerVersion(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		x, errX := strconv.Atoi(as[i])
		y, errY := strconv.Atoi(bs[i])
		if errX != nil || errY != nil {
			return b == "" || a > b
		}
		if x != y {
			return x > y
		}
	}
	return len(as) > len(bs)
}

// observed reports whether the profile reproduces the deviation.
func (p *profile) observed(id string) bool { return p.ids[id] }

// writeStatus is the status of a successful write (PATCH, restart,
// restart-all, DELETE, relationships/filters): MaxScale answers 200 with
// an empty body, the documentation 204.
func (p *profile) writeStatus() int {
	if p.observed(devWriteStatus200) {
		return http.StatusOK
	}
	return http.StatusNoContent
}
