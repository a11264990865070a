package steps

import (
	"net/http"
	"time"
)

// Verdict is the outcome of one scenario against one target, judged with the
// deviation ledger of the target's MaxScale version.
type Verdict string

// The verdicts a scenario can get.
const (
	// Conforms: every step passed as documented.
	Conforms Verdict = "conforms"
	// KnownDeviation: a step failed as documented, but the ledger's observed
	// alternative held, so the step passed and the deviation was recorded.
	KnownDeviation Verdict = "known deviation"
	// ChangedDeviation: a required ledger entry applied to a step but the
	// server now conforms or does something else (a release fixed or changed it).
	ChangedDeviation Verdict = "changed deviation"
	// Fails: a step failed and no ledger entry explains it.
	Fails Verdict = "fails"
	// Skipped: the scenario did not run (tag filter, missing read-only
	// account, simulator-only scenario against a real MaxScale).
	Skipped Verdict = "skipped"
)

// Exchange is one HTTP request and its response as seen by a step.
type Exchange struct {
	Method, URL    string
	RequestHeader  http.Header
	RequestBody    string
	Status         int
	ResponseHeader http.Header
	ResponseBody   string
	Duration       time.Duration
	// SpecErrors lists where the response departs from the contract in spec/.
	SpecErrors []string
}

// StepResult is the outcome of one step.
type StepResult struct {
	Keyword string // Given, When, Then, And, But
	Text    string
	// Line is the step's line in its feature file (0 when unknown).
	Line int
	// Def is the step definition that ran it, as its Go source and
	// function: "defs_client.go:20 -> clientSteps.func1".
	Def    string
	Status string // passed|failed|skipped|undefined|pending
	Error  string
	// Deviation is the ledger id when a known deviation was seen in this step.
	Deviation string
}

// ScenarioResult is the outcome of one scenario.
type ScenarioResult struct {
	Feature, Name, URI string
	Line               int
	Tags               []string
	Verdict            Verdict
	Steps              []StepResult
	Exchanges          []Exchange
	// Deviations lists the ledger ids seen in this scenario, in step order.
	Deviations []string
	Duration   time.Duration
	// RowLine is the line of the scenario, or of its row of Examples for
	// an outline, where Line is the outline's.
	RowLine int
	// SkipReason says why a skipped scenario did not run, e.g. "the target
	// has no read-only account".
	SkipReason string
}

// Result is the outcome of one run of the suite against one target.
type Result struct {
	Target    string
	Ledger    string
	Started   time.Time
	Duration  time.Duration
	Scenarios []ScenarioResult
}

// Count returns how many scenarios got each verdict.
func (r *Result) Count() map[Verdict]int {
	n := make(map[Verdict]int)
	for _, s := range r.Scenarios {
		n[s.Verdict]++
	}
	return n
}

// Failed reports whether any scenario fails. Changed deviations are reported
// but do not fail the run; a caller that wants them to can check Count.
func (r *Result) Failed() bool {
	for _, s := range r.Scenarios {
		if s.Verdict == Fails {
			return true
		}
	}
	return false
}
