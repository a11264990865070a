// Package report turns the result of a suite run (a *steps.Result) into
// files a person or a CI system reads: JUnit XML, a self-contained HTML page
// and a plain-text summary. godog's own formatters (pretty, progress,
// cucumber) need nothing from here; they write while the suite runs.
package report

import (
	"slices"
	"strings"

	"github.com/mxharness/mxharness/spec"
	"github.com/mxharness/mxharness/steps"
)

// verdicts lists every verdict in the order reports show them: the good news
// first, the bad news last, skipped apart.
var verdicts = []steps.Verdict{steps.Conforms, steps.KnownDeviation, steps.ChangedDeviation, steps.Fails, steps.Skipped}

// key is a verdict as an identifier (CSS class, JUnit status attribute):
// "known deviation" becomes "known-deviation".
func key(v steps.Verdict) string { return strings.ReplaceAll(string(v), " ", "-") }

// DeviationIDs returns the ledger ids a scenario met, from the scenario and
// its steps, each once, in the order they were met.
func DeviationIDs(s steps.ScenarioResult) []string {
	ids := slices.Clone(s.Deviations)
	for _, st := range s.Steps {
		if st.Deviation != "" && !slices.Contains(ids, st.Deviation) {
			ids = append(ids, st.Deviation)
		}
	}
	return slices.Compact(ids)
}

// skipReason says why a skipped scenario did not run.
func skipReason(s steps.ScenarioResult) string {
	if s.SkipReason != "" {
		return s.SkipReason
	}
	if _, err := firstError(s); err != "" {
		return firstLine(err)
	}
	return "not run"
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

// catalog is what the contract records about each deviation id
// (spec.Deviations): whether it is a security flaw, and what the target does
// instead of what the docs say.
type catalog map[string]spec.Deviation

// specCatalog is the contract's catalog. The contract is embedded and tested
// in package spec; should it not load, reports still render, without the
// descriptions.
func specCatalog() catalog {
	devs, err := spec.Deviations()
	if err != nil {
		return catalog{}
	}
	c := make(catalog, len(devs))
	for _, d := range devs {
		c[d.ID] = d
	}
	return c
}

// security reports whether a deviation is a security flaw of MaxScale (a
// read-only account that writes, a request that crashes it). Reports mark
// these red whatever the verdict.
func (c catalog) security(id string) bool { return c[id].Security }

// summary is one line on what the target does for deviation id, or "".
func (c catalog) summary(id string) string { return strings.Join(strings.Fields(c[id].Summary), " ") }
