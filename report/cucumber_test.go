package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/mxharness/mxharness/internal/golden"
)

// The Cucumber JSON of the sample run: a feature per file, each scenario's
// verdict (or why it was skipped) as its description, every step with its
// line, its definition and its result.
func TestCucumber(t *testing.T) {
	var buf bytes.Buffer
	if err := Cucumber(&buf, sampleResult()); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "sample.cucumber.json", buf.Bytes())
	var features []struct {
		URI      string `json:"uri"`
		Elements []struct {
			Description string `json:"description"`
			Steps       []struct {
				Line   int `json:"line"`
				Result struct {
					Status string `json:"status"`
				} `json:"result"`
			} `json:"steps"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(buf.Bytes(), &features); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if len(features) != 3 {
		t.Fatalf("%d features, want 3", len(features))
	}
	skipped := features[2].Elements[1]
	if skipped.Description != "skipped: the target has no read-only account" || skipped.Steps[0].Line != 45 || skipped.Steps[0].Result.Status != "skipped" {
		t.Errorf("skipped scenario: %+v, want its reason and its step's line", skipped)
	}
}
