package simulator

import (
	"fmt"
	"net/http"

	"github.com/mxharness/mxharness/spec"
)

// Profile names.
const (
	// ProfileMaxScale behaves like MaxScale 24.02.4: every deviation the
	// contract records for it, except security flaws.
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
)

// profile is the set of observed deviations a simulator reproduces. It is
// read from spec.Deviations(), so a deviation the contract stops recording
// stops being reproduced.
type profile struct {
	name string
	ids  map[string]bool
}

func loadProfile(name string) (*profile, error) {
	p := &profile{name: name, ids: map[string]bool{}}
	switch name {
	case ProfileMaxScale:
		devs, err := spec.Deviations()
		if err != nil {
			return nil, fmt.Errorf("profile %s: %w", name, err)
		}
		for _, d := range devs {
			if !d.Security { // a flaw or crash is never reproduced
				p.ids[d.ID] = true
			}
		}
	case ProfileDocumented:
	default:
		return nil, fmt.Errorf("unknown profile %q (known: %s, %s)", name, ProfileMaxScale, ProfileDocumented)
	}
	return p, nil
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
