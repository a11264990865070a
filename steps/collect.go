package steps

import (
	"errors"
	"slices"
	"strings"
	"time"
)

// beginStep starts recording the step with the given text; from holds
// where it comes from (Keyword, Line, Def).
func (s *scenario) beginStep(text string, from StepResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stepText, s.stepFrom, s.stepDev, s.stepNote = text, from, "", ""
}

// currentStep is the text of the step being run; the ledger matches it.
func (s *scenario) currentStep() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stepText
}

// endStep records the outcome godog gave the step.
func (s *scenario) endStep(text, status string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sr := StepResult{Keyword: s.stepFrom.Keyword, Text: text, Line: s.stepFrom.Line, Def: s.stepFrom.Def, Status: status, Deviation: s.stepDev}
	switch {
	case err != nil && errors.Is(err, errSkipScenario):
		s.skipped = true
		sr.Error = err.Error()
		if s.skipWhy == "" {
			// godog wraps a hook's error: "before scenario hook failed:
			// skipped: the target has no read-only account".
			why := sr.Error
			if i := strings.LastIndex(why, errSkipScenario.Error()+": "); i >= 0 {
				why = why[i+len(errSkipScenario.Error()+": "):]
			}
			s.skipWhy = why
		}
	case err != nil:
		sr.Error = err.Error()
		if status == "failed" {
			s.failed = true
			if errors.Is(err, errChanged) {
				s.chgFail = true
			}
		}
	case s.stepNote != "":
		sr.Error = s.stepNote
	}
	if status == "undefined" || status == "pending" || status == "ambiguous" {
		s.failed = true
	}
	s.steps = append(s.steps, sr)
}

// record keeps one HTTP exchange of the scenario.
func (s *scenario) record(ex Exchange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.exchanges = append(s.exchanges, ex)
}

// seeDeviation records that the ledger's deviation id was seen.
func (s *scenario) seeDeviation(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stepDev == "" {
		s.stepDev = id
	}
	if !slices.Contains(s.devs, id) {
		s.devs = append(s.devs, id)
	}
}

// noteChanged records that a required ledger entry applied to a step that
// passed as documented: the target now conforms where the ledger expects id.
func (s *scenario) noteChanged(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changed = true
	s.stepDev = id
	s.stepNote = "the ledger expects deviation " + id + " here, but the target behaves as documented"
}

// result is the scenario's verdict and record.
func (s *scenario) result(line int) ScenarioResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	tags := make([]string, 0, len(s.tags))
	for t := range s.tags {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	sr := ScenarioResult{
		Name: s.name, URI: s.uri, Line: line, Tags: tags,
		Steps: s.steps, Exchanges: s.exchanges, Deviations: s.devs,
		RowLine: s.line, SkipReason: s.skipWhy,
		Duration: time.Since(s.started),
	}
	sr.Feature = featureName(s.run.fsys, s.uri)
	switch {
	case s.skipped:
		sr.Verdict = Skipped
	case s.failed && !s.chgFail:
		sr.Verdict = Fails
	case s.chgFail || s.changed:
		sr.Verdict = ChangedDeviation
	case len(s.devs) > 0:
		sr.Verdict = KnownDeviation
	default:
		sr.Verdict = Conforms
	}
	return sr
}
