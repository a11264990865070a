package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/mxharness/mxharness/steps"
)

// JUnit writes the result as JUnit XML: one testsuite per feature, one
// testcase per scenario. A known deviation is a passing testcase whose
// system-out names the ledger id; a changed deviation passes too but is
// flagged in its system-out and in a suite property, so a CI page shows it
// without failing the build (the exit status decides that); a failing
// scenario is a failure carrying its step error; a skipped one is skipped.
func JUnit(w io.Writer, r *steps.Result) error { return writeJUnit(w, r, specCatalog()) }

func writeJUnit(w io.Writer, r *steps.Result, c catalog) error {
	suites := junit.Testsuites{Name: "mxharness verify " + r.Target}
	for i, f := range byFeature(r) {
		suites.AddSuite(junitSuite(i, f, r, c))
	}
	suites.Time = seconds(r.Duration)
	// Jenkins' junit-10.xsd, the strictest schema in common use, has no
	// skipped attribute on <testsuites>; every <testsuite> still carries its own.
	suites.Skipped = 0
	if _, err := io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	if err := suites.WriteXML(w); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	return nil
}

func junitSuite(id int, f feature, r *steps.Result, c catalog) junit.Testsuite {
	ts := junit.Testsuite{Name: f.name, ID: id, File: f.uri}
	if !r.Started.IsZero() {
		ts.SetTimestamp(r.Started)
	}
	ts.AddProperty("target", r.Target)
	ts.AddProperty("ledger", ledgerName(r.Ledger))
	var total time.Duration
	seen := map[string]int{}
	for _, s := range f.scenarios {
		total += s.Duration
		for _, dev := range DeviationIDs(s) {
			switch s.Verdict {
			case steps.KnownDeviation:
				ts.AddProperty("known-deviation", dev+": "+s.Name)
			case steps.ChangedDeviation:
				ts.AddProperty("changed-deviation", dev+": "+s.Name)
			}
		}
		name := s.Name
		if seen[name]++; seen[name] > 1 {
			// Scenario outlines repeat a name; JUnit viewers merge equal
			// names, so the line tells the examples apart.
			name = fmt.Sprintf("%s (line %d)", s.Name, s.Line)
		}
		ts.AddTestcase(junitCase(f.name, name, s, r.Ledger, c))
	}
	ts.Time = seconds(total)
	return ts
}

func junitCase(class, name string, s steps.ScenarioResult, ledger string, c catalog) junit.Testcase {
	tc := junit.Testcase{Name: name, Classname: class, Time: seconds(s.Duration)}
	ids := strings.Join(DeviationIDs(s), ", ")
	var about strings.Builder
	for _, id := range DeviationIDs(s) {
		if c.security(id) {
			fmt.Fprintf(&about, "SECURITY FLAW %s\n", id)
		}
		if sum := c.summary(id); sum != "" {
			fmt.Fprintf(&about, "%s: %s\n", id, sum)
		}
	}
	switch s.Verdict {
	case steps.Fails:
		step, err := firstError(s)
		tc.Failure = &junit.Result{Message: firstLine(err), Type: "fails", Data: xmlText(scenarioLog(s, step, err))}
	case steps.Skipped:
		tc.Skipped = &junit.Result{Message: skipReason(s)}
	case steps.KnownDeviation:
		tc.SystemOut = &junit.Output{Data: xmlText(fmt.Sprintf("known deviation: %s (ledger %s)\n%s", ids, ledgerName(ledger), about.String()))}
	case steps.ChangedDeviation:
		step, err := firstError(s)
		tc.SystemOut = &junit.Output{Data: xmlText(fmt.Sprintf(
			"CHANGED DEVIATION: %s\nThe target no longer behaves as ledger %s records: a release fixed or changed this behaviour; update the ledger.\n%s\n%s",
			ids, ledgerName(ledger), about.String(), scenarioLog(s, step, err)))}
	}
	return tc
}

// scenarioLog is the readable account of a scenario a CI page shows under a
// failure: the failing step and its error, every step with its status, and
// the HTTP exchanges with their status and spec errors.
func scenarioLog(s steps.ScenarioResult, step, err string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d %s\n", s.URI, s.Line, s.Name)
	if err != "" {
		fmt.Fprintf(&b, "step %q:\n%s\n", step, err)
	}
	b.WriteString("\nsteps:\n")
	for _, st := range s.Steps {
		fmt.Fprintf(&b, "  %-9s %s\n", st.Status, st.Text)
	}
	if len(s.Exchanges) > 0 {
		b.WriteString("\nHTTP:\n")
		for _, x := range s.Exchanges {
			fmt.Fprintf(&b, "  %s %s -> %d\n", x.Method, x.URL, x.Status)
			for _, e := range x.SpecErrors {
				fmt.Fprintf(&b, "    spec: %s\n", e)
			}
		}
	}
	return b.String()
}

// xmlText replaces what XML 1.0 cannot carry, even in CDATA (control
// characters, invalid UTF-8), with U+FFFD: a response body is arbitrary bytes,
// and one NUL would make the whole report unreadable. encoding/xml already
// does this for attributes, not for CDATA.
func xmlText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r',
			r >= 0x20 && r <= 0xD7FF,
			r >= 0xE000 && r <= 0xFFFD,
			r >= 0x10000 && r <= 0x10FFFF:
			return r
		}
		return '\uFFFD'
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func ledgerName(l string) string {
	if l == "" {
		return "none"
	}
	return l
}
