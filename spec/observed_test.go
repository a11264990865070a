package spec

import (
	"slices"
	"testing"
)

// TestObservedResponses checks every HTTP response of the 24.02.4
// transcripts: it either satisfies the contract or is exactly a recorded
// deviation of its operation. Requests the contract does not route (other
// resources, HEAD, OPTIONS, unknown verbs) are only counted.
func TestObservedResponses(t *testing.T) {
	var conforming, deviating, outside int
	for _, ex := range readTranscripts(t) {
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
		if _, ok := MatchDeviation(op, ex.status, ex.body); !ok {
			t.Errorf("%s: %s %s: %v", ex.name, ex.request.Method, ex.request.URL.RequestURI(), err)
			continue
		}
		deviating++
	}
	t.Logf("%d responses conform, %d are recorded deviations, %d requests are outside the contract", conforming, deviating, outside)
	if conforming == 0 || deviating == 0 {
		t.Errorf("expected both conforming and deviating responses, got %d and %d", conforming, deviating)
	}
}

// TestDeviationCasesAreReal checks that the transcripts a status deviation
// names really show the response it records.
func TestDeviationCasesAreReal(t *testing.T) {
	byCase := map[string]exchange{}
	for _, ex := range readTranscripts(t) {
		byCase[ex.name[:3]] = ex
	}
	devs, err := Deviations()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
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
