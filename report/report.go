// Package report turns the result of a suite run (a *steps.Result) into
// files a person or a CI system reads: JUnit XML, a self-contained HTML page
// and a plain-text summary. godog's own formatters (pretty, progress,
// cucumber) need nothing from here; they write while the suite runs.
package report

import (
	"slices"
	"strings"

	"github.com/mxharness/mxharness/steps"
)

// verdicts lists every verdict in the order reports show them: the good news
// first, the bad news last, skipped apart.
var verdicts = []steps.Verdict{steps.Conforms, steps.KnownDeviation, steps.ChangedDeviation, steps.Fails, steps.Skipped}

// key is a verdict as an identifier (CSS class, JUnit status attribute):
// "known deviation" becomes "known-deviation".
func key(v steps.Verdict) string { return strings.ReplaceAll(string(v), " ", "-") }

// deviationIDs returns the ledger ids a scenario met, from the scenario and
// its steps, each once, in the order they were met.
func deviationIDs(s steps.ScenarioResult) []string {
	ids := slices.Clone(s.Deviations)
	for _, st := range s.Steps {
		if st.Deviation != "" && !slices.Contains(ids, st.Deviation) {
			ids = append(ids, st.Deviation)
		}
	}
	return slices.Compact(ids)
}

// firstError returns the first step error of a scenario and the step it
// belongs to, or empty strings when no step reported one.
func firstError(s steps.ScenarioResult) (step, err string) {
	for _, st := range s.Steps {
		if st.Error != "" {
			return st.Text, st.Error
		}
	}
	return "", ""
}

// feature is the scenarios of one feature file, in run order.
type feature struct {
	name, uri string
	scenarios []steps.ScenarioResult
}

// byFeature groups scenarios by feature file, keeping the order in which
// each feature first appears and each feature's scenarios sorted by line.
func byFeature(r *steps.Result) []feature {
	var out []feature
	index := map[string]int{}
	for _, s := range r.Scenarios {
		k := s.URI + "\x00" + s.Feature
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, feature{name: s.Feature, uri: s.URI})
		}
		out[i].scenarios = append(out[i].scenarios, s)
	}
	for _, f := range out {
		slices.SortStableFunc(f.scenarios, func(a, b steps.ScenarioResult) int { return a.Line - b.Line })
	}
	return out
}

// security reports whether a deviation is a security flaw of MaxScale (the
// brief's SECURITY ids: a read-only account that writes, a request that
// crashes it). Reports mark these red whatever the verdict.
func security(id string) bool {
	switch id {
	case "readonly-override-writes", "filter-without-id-crash":
		return true
	}
	return false
}
