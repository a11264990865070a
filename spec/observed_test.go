package spec

import (
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestObservedResponses checks every HTTP response of the 24.02.4
// transcripts: it either satisfies the contract or is exactly a recorded
// deviation of its operation. Requests the contract does not route (other
// resources, HEAD, OPTIONS, unknown verbs) are only counted.
func TestObservedResponses(t *testing.T) {
	checkObservedResponses(t, "24.02.4", readTranscripts(t))
}

// TestObservedResponsesOfOtherReleases does the same for the transcripts
// of the other releases (testdata/observed-<version>): each response
// conforms, or the deviations that explain it are recorded for that
// version.
func TestObservedResponsesOfOtherReleases(t *testing.T) {
	for _, v := range observedVersions {
		t.Run(v, func(t *testing.T) {
			checkObservedResponses(t, v, readTranscriptsIn(t, filepath.Join("testdata", "observed-"+v)))
		})
	}
}

func checkObservedResponses(t *testing.T, version string, exs []exchange) {
	t.Helper()
	byID := map[string]Deviation{}
	devs, err := Deviations()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		byID[d.ID] = d
	}
	var conforming, deviating, outside int
	for _, ex := range exs {
		op, err := FindOperation(ex.request)
		if err != nil {
			outside++
			continue
		}
		err = ValidateResponse(t.Context(), ex.request, ex.status, ex.header, ex.body)
		if err == nil {
			conforming++
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("%s: %v", ex.name, err)
		}
		ids, ok := ExplainProblems(op, ex.status, ex.body, ve.Problems, func(id string) bool { return slices.Contains(byID[id].Versions, version) })
		if !ok {
			t.Errorf("%s: %s %s: %v", ex.name, ex.request.Method, ex.request.URL.RequestURI(), err)
			continue
		}
		for _, id := range ids {
			if !slices.Contains(byID[id].Versions, version) {
				t.Errorf("%s: explained by %s, which the contract does not record for %s (versions %v)", ex.name, id, version, byID[id].Versions)
			}
		}
		deviating++
	}
	t.Logf("%s: %d responses conform, %d are recorded deviations, %d requests are outside the contract", version, conforming, deviating, outside)
	if conforming == 0 || deviating == 0 {
		t.Errorf("expected both conforming and deviating responses, got %d and %d", conforming, deviating)
	}
}

// transcriptsByCase returns the HTTP exchanges of the transcripts by the
// case names of x-observed records: "NNN" for observed-24.02.4,
// "<version>:NNN" for testdata/observed-<version>.
func transcriptsByCase(t *testing.T) map[string]exchange {
	t.Helper()
	byCase := map[string]exchange{}
	for _, ex := range readTranscripts(t) {
		byCase[ex.name[:3]] = ex
	}
	for _, v := range observedVersions {
		for _, ex := range readTranscriptsIn(t, filepath.Join("testdata", "observed-"+v)) {
			byCase[v+":"+ex.name[:3]] = ex
		}
	}
	return byCase
}

// TestDeviationCasesAreReal checks that the transcripts a status deviation
// names really show the response it records, and that a case of another
// release ("24.08.0:023") names a transcript of a version the record lists.
func TestDeviationCasesAreReal(t *testing.T) {
	byCase := transcriptsByCase(t)
	devs, err := Deviations()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		for _, c := range d.Cases {
			v, _, qualified := strings.Cut(c, ":")
			if _, ok := byCase[c]; qualified && !ok {
				t.Errorf("%s lists case %s, which is no transcript of testdata/observed-<version>", d.ID, c)
			}
			if qualified && !slices.Contains(d.Versions, v) {
				t.Errorf("%s lists case %s, but its versions %v do not include %s", d.ID, c, d.Versions, v)
			}
		}
		if d.Status == 0 || len(d.Cases) == 0 {
			continue
		}
		seen := false
		for _, c := range d.Cases {
			ex, ok := byCase[c]
			if !ok || !slices.Contains(d.Statuses, ex.status) {
				continue
			}
			if !d.Matches(ex.status, ex.body) {
				t.Errorf("%s lists case %s, whose %d response is not the one it records: %q", d.ID, ex.name, ex.status, ex.body)
			}
			seen = true
		}
		if !seen {
			t.Errorf("%s records status %v, but none of its cases %v shows it", d.ID, d.Statuses, d.Cases)
		}
	}
}

// headerShown tells, for each x-observed record about one header, whether a
// transcript shows that difference; earlier are the cases the record lists
// before this one, of the same release.
var headerShown = map[string]func(ex exchange, earlier []exchange) bool{
	"date-two-digit-year": func(ex exchange, _ []exchange) bool {
		_, err := http.ParseTime(ex.header.Get("Date"))
		return ex.header.Get("Date") != "" && err != nil
	},
	"options-accept-not-allow": func(ex exchange, _ []exchange) bool {
		return ex.request.Method == http.MethodOptions && ex.header.Get("Accept") != "" && !has(ex.header, "Allow")
	},
	"no-accept-patch": func(ex exchange, _ []exchange) bool { return !has(ex.header, "Accept-Patch") },
	"token-401-no-www-authenticate": func(ex exchange, _ []exchange) bool {
		return ex.status == http.StatusUnauthorized && !has(ex.header, "WWW-Authenticate")
	},
	"xhr-401-no-www-authenticate": func(ex exchange, _ []exchange) bool {
		return ex.status == http.StatusUnauthorized && ex.request.Header.Get("X-Requested-With") != "" && !has(ex.header, "WWW-Authenticate")
	},
	"static-error-no-content-type": func(ex exchange, _ []exchange) bool {
		return ex.status >= 400 && len(ex.body) > 0 && !has(ex.header, "Content-Type")
	},
	// The request's Content-Type is not JSON, and the write succeeds.
	"content-type-not-checked": func(ex exchange, _ []exchange) bool {
		ct := ex.request.Header.Get("Content-Type")
		return ct != "" && !strings.HasPrefix(ct, "application/json") && ex.status/100 == 2
	},
	"etag-changes-on-every-get": func(ex exchange, earlier []exchange) bool {
		return slices.ContainsFunc(earlier, func(e exchange) bool {
			return e.request.URL.RequestURI() == ex.request.URL.RequestURI() && e.header.Get("ETag") != "" && ex.header.Get("ETag") != "" && e.header.Get("ETag") != ex.header.Get("ETag")
		})
	},
	"if-none-match-drops-fields-and-etag": func(ex exchange, _ []exchange) bool {
		return ex.request.Header.Get("If-None-Match") != "" && ex.status == http.StatusOK && !has(ex.header, "ETag")
	},
}

func has(h http.Header, name string) bool { _, ok := h[http.CanonicalHeaderKey(name)]; return ok }

// TestHeaderDeviationCasesShowIt checks that, for each release whose
// transcripts a header record lists, one of them shows the difference in
// that header (the validation of a response does not read these headers).
func TestHeaderDeviationCasesShowIt(t *testing.T) {
	byCase := transcriptsByCase(t)
	devs, err := Deviations()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		if d.Header == "" || len(d.Cases) == 0 {
			continue
		}
		shown, ok := headerShown[d.ID]
		if !ok {
			t.Errorf("%s records a difference in %s, but headerShown has no test of it", d.ID, d.Header)
			continue
		}
		byVersion := map[string][]exchange{}
		var versions []string
		for _, c := range d.Cases {
			v, _, qualified := strings.Cut(c, ":")
			if !qualified {
				v = "24.02.4"
			}
			if ex, ok := byCase[c]; ok {
				if _, seen := byVersion[v]; !seen {
					versions = append(versions, v)
				}
				byVersion[v] = append(byVersion[v], ex)
			}
		}
		for _, v := range versions {
			exs, seen := byVersion[v], false
			var names []string
			for i, ex := range exs {
				seen = seen || shown(ex, exs[:i])
				names = append(names, ex.name)
			}
			if !seen {
				t.Errorf("%s (header %s): none of its %s cases %v shows the difference", d.ID, d.Header, v, names)
			}
		}
	}
}
