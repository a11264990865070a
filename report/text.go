package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mxharness/mxharness/steps"
)

// Summary writes the plain-text account of a run that ends a verify: the
// count of each verdict, the known deviations by ledger id (security flaws
// marked), the changed deviations and the failing scenarios with their first
// error, so a CI log shows what to look at without opening a report.
func Summary(w io.Writer, r *steps.Result) error { return writeSummary(w, r, specCatalog()) }

func writeSummary(w io.Writer, r *steps.Result, c catalog) error {
	var b strings.Builder
	counts := r.Count()
	fmt.Fprintf(&b, "%d scenario%s against %s in %s, ledger %s\n",
		len(r.Scenarios), plural(len(r.Scenarios)), r.Target, r.Duration.Round(time.Millisecond), ledgerName(r.Ledger))
	for _, v := range verdicts {
		fmt.Fprintf(&b, "  %-18s %5d\n", v, counts[v])
	}

	known := map[string]int{}
	var knownIDs []string
	var changed, failing, skipped []steps.ScenarioResult
	for _, s := range r.Scenarios {
		switch s.Verdict {
		case steps.KnownDeviation:
			for _, id := range DeviationIDs(s) {
				if known[id] == 0 {
					knownIDs = append(knownIDs, id)
				}
				known[id]++
			}
		case steps.ChangedDeviation:
			changed = append(changed, s)
		case steps.Fails:
			failing = append(failing, s)
		case steps.Skipped:
			skipped = append(skipped, s)
		}
	}
	slices.Sort(knownIDs)
	if len(knownIDs) > 0 {
		fmt.Fprintf(&b, "\nKnown deviations (ledger %s):\n", ledgerName(r.Ledger))
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, id := range knownIDs {
			mark := ""
			if c.security(id) {
				mark = "SECURITY"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%d scenario%s\n", id, mark, known[id], plural(known[id]))
		}
		tw.Flush()
	}
	if len(changed) > 0 {
		fmt.Fprintf(&b, "\nCHANGED DEVIATIONS: the target no longer behaves as ledger %s records (a release fixed or changed it); update the ledger:\n", ledgerName(r.Ledger))
		for _, s := range changed {
			listScenario(&b, "!", strings.Join(DeviationIDs(s), ", ")+"  ", s)
		}
	}
	if len(failing) > 0 {
		b.WriteString("\nFailing scenarios:\n")
		for i, s := range failing {
			if i == maxListed {
				fmt.Fprintf(&b, "  ... and %d more: see the junit or html report\n", len(failing)-maxListed)
				break
			}
			listScenario(&b, "FAIL", "", s)
		}
	}
	writeSkipped(&b, skipped)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}

// writeSkipped lists the skipped scenarios under their reason (the target
// has no read-only account, ...), so that a terminal shows what did not run
// and why, not only a count.
func writeSkipped(b *strings.Builder, skipped []steps.ScenarioResult) {
	if len(skipped) == 0 {
		return
	}
	var reasons []string
	byReason := map[string][]steps.ScenarioResult{}
	for _, s := range skipped {
		why := skipReason(s)
		if byReason[why] == nil {
			reasons = append(reasons, why)
		}
		byReason[why] = append(byReason[why], s)
	}
	fmt.Fprintf(b, "\nSkipped scenarios:\n")
	for _, why := range reasons {
		list := byReason[why]
		fmt.Fprintf(b, "  %s: %d scenario%s\n", why, len(list), plural(len(list)))
		for i, s := range list {
			if i == maxListed {
				fmt.Fprintf(b, "    ... and %d more: see the junit or html report\n", len(list)-maxListed)
				break
			}
			fmt.Fprintf(b, "    - %s:%d  %s\n", s.URI, s.Line, s.Name)
		}
	}
}

// maxListed bounds the failing scenarios the summary lists: when most of the
// suite fails, the first few errors tell the story and a report has the rest.
const maxListed = 20

// listScenario writes one scenario as a line (mark, prefix, place, name)
// and its first error, indented, on the next.
func listScenario(b *strings.Builder, mark, prefix string, s steps.ScenarioResult) {
	fmt.Fprintf(b, "  %s %s%s:%d  %s\n", mark, prefix, s.URI, s.Line, s.Name)
	if _, err := firstError(s); err != "" {
		fmt.Fprintf(b, "      %s\n", firstLine(err))
	}
}
