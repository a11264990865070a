package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/mxharness/mxharness/steps"
)

// Cucumber writes the result as Cucumber JSON (the format of cucumber-js's
// json formatter, which cucumber-html-reporter and CI plugins read): one
// element per feature, one per scenario, each step with its line, its step
// definition and its result. It is written from the result rather than by
// godog's formatter so that it says what godog's cannot: a skipped
// scenario's reason (in the scenario's description and every step's
// error_message), a known deviation's ledger id (in the description), and
// the Go step definition behind each step.
func Cucumber(w io.Writer, r *steps.Result) error {
	out := []cukeFeature{}
	for _, f := range byFeature(r) {
		cf := cukeFeature{URI: f.uri, ID: cukeID(f.name), Keyword: "Feature", Name: f.name, Elements: []cukeElement{}}
		for _, s := range f.scenarios {
			cf.Elements = append(cf.Elements, cukeScenario(cf.ID, s))
		}
		out = append(out, cf)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // "defs_client.go:14 -> ..." as it reads
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write cucumber: %w", err)
	}
	return nil
}

func cukeScenario(featureID string, s steps.ScenarioResult) cukeElement {
	e := cukeElement{
		ID: featureID + ";" + cukeID(s.Name), Keyword: "Scenario", Name: s.Name,
		Line: s.Line, Type: "scenario", Steps: []cukeStep{},
	}
	if s.RowLine != 0 {
		e.Line = s.RowLine
	}
	for _, t := range s.Tags {
		e.Tags = append(e.Tags, cukeTag{Name: t})
	}
	switch ids := DeviationIDs(s); {
	case s.Verdict == steps.Skipped:
		e.Description = "skipped: " + s.SkipReason
	case len(ids) > 0:
		e.Description = fmt.Sprintf("%s (%s)", s.Verdict, strings.Join(ids, ", "))
	default:
		e.Description = string(s.Verdict)
	}
	for _, st := range s.Steps {
		cs := cukeStep{Keyword: st.Keyword + " ", Name: st.Text, Line: st.Line, Match: cukeMatch{Location: st.Def}, Result: cukeResult{Status: st.Status, Error: st.Error}}
		if s.Verdict == steps.Skipped {
			cs.Result.Error = "skipped: " + s.SkipReason
		}
		e.Steps = append(e.Steps, cs)
	}
	return e
}

// cukeID is cucumber's id of a name: lower case, spaces as dashes.
func cukeID(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), " ", "-")
}

type cukeFeature struct {
	URI      string        `json:"uri"`
	ID       string        `json:"id"`
	Keyword  string        `json:"keyword"`
	Name     string        `json:"name"`
	Elements []cukeElement `json:"elements"`
}

type cukeElement struct {
	ID          string     `json:"id"`
	Keyword     string     `json:"keyword"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Line        int        `json:"line"`
	Type        string     `json:"type"`
	Tags        []cukeTag  `json:"tags,omitempty"`
	Steps       []cukeStep `json:"steps"`
}

type cukeTag struct {
	Name string `json:"name"`
}

type cukeStep struct {
	Keyword string     `json:"keyword"`
	Name    string     `json:"name"`
	Line    int        `json:"line"`
	Match   cukeMatch  `json:"match"`
	Result  cukeResult `json:"result"`
}

type cukeMatch struct {
	Location string `json:"location"`
}

type cukeResult struct {
	Status string `json:"status"`
	Error  string `json:"error_message,omitempty"`
}
