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
	var changed, failing []steps.ScenarioResult
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
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
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
