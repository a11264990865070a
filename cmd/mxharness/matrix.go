package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mxharness/mxharness/report"
	"github.com/mxharness/mxharness/steps"
)

// A matrix is the suite run against several targets one after the other
// (MaxScale containers with --container, running servers with --target),
// then one table of every scenario's verdict per target. This file is the
// part both ways share: one target's run and the table.

// matrixRun is the outcome of the suite against one target of a matrix: a
// result, or the error that kept the suite from running.
type matrixRun struct {
	name   string // the image, or the --target name
	ledger string // the ledger it was judged with, "" for none
	result *steps.Result
	err    error
	status int // verify's exit status for this target
}

// matrixFile is the matrix's name in the matrix directory.
const matrixFile = "matrix.md"

// checkTargetLedgers makes sure every --ledger NAME=VERSION names one of
// the matrix's targets, so that a misspelt name is not silently ignored.
func checkTargetLedgers(cfg verifyConfig, names []string) error {
	for name := range cfg.targetLedgers {
		if !slices.Contains(names, name) {
			return fmt.Errorf("--ledger %s=...: no target is called %q (the targets: %s)", name, name, strings.Join(names, ", "))
		}
	}
	return nil
}

// runMatrix runs the suite against n targets in turn (runOne runs the
// i-th), then writes the matrix, and returns the worst exit status. When
// ctx ends it stops, says what it was doing (onInterrupt) and writes no
// matrix: what the last run met after Ctrl-C says nothing about it.
func runMatrix(ctx context.Context, cfg verifyConfig, n int, runOne func(i int) matrixRun, onInterrupt string, stdout, stderr io.Writer) int {
	runs := make([]matrixRun, 0, n)
	status := verifyPass
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		run := runOne(i)
		runs = append(runs, run)
		status = max(status, run.status)
	}
	if ctx.Err() != nil {
		fmt.Fprintf(stderr, "mxharness verify: interrupted; %s\n", onInterrupt)
		return verifyUsage
	}
	if err := writeMatrixFiles(stdout, cfg.matrixDir, runs); err != nil {
		fmt.Fprintf(stderr, "mxharness verify: %v\n", err)
		return verifyUsage
	}
	return status
}

// runMatrixTarget runs the suite against one target of a matrix, judged
// with cfg.ledger: godog's progress, the summary and the verdict line go to
// stderr (stdout carries the matrix), the FORMAT:FILE reports get a file per
// target, and a JUnit report goes into the matrix directory.
func runMatrixTarget(ctx context.Context, name string, tgt steps.Target, cfg verifyConfig, stderr io.Writer) matrixRun {
	fmt.Fprintf(stderr, "verify: running the suite against %s (REST %s, ledger %s)\n", name, tgt.APIURL, ledgerName(cfg.ledger))
	godogFormat, reports := matrixOutputs(cfg.outputs, name)
	res, err := steps.Run(ctx, tgt, steps.Options{
		Tags: cfg.tags, AllowEmpty: cfg.allowEmpty, Ledger: cfg.ledger, Concurrency: cfg.concurrency, Format: godogFormat, Output: stderr,
	})
	if ctx.Err() != nil {
		// Interrupted: what the scenarios met after Ctrl-C says nothing
		// about the target; no reports.
		return matrixRun{name: name, ledger: cfg.ledger, err: ctx.Err(), status: verifyUsage}
	}
	if err != nil {
		fmt.Fprintf(stderr, "mxharness verify: run the suite against %s: %v\n", name, err)
		return matrixRun{name: name, ledger: cfg.ledger, err: err, status: verifyUsage}
	}
	reports = append(reports, output{format: "junit", path: filepath.Join(cfg.matrixDir, slug(name)+".junit.xml")})
	for _, o := range reports {
		if err := writeReport(o, res, io.Discard); err != nil {
			fmt.Fprintf(stderr, "mxharness verify: %v\n", err)
		}
	}
	fmt.Fprintln(stderr)
	if err := report.Summary(stderr, res); err != nil {
		fmt.Fprintf(stderr, "mxharness verify: %v\n", err)
	}
	status := verdictLine(stderr, res, cfg)
	return matrixRun{name: name, ledger: cfg.ledger, result: res, status: status}
}

// matrixOutputs turns verify's --format flags into one target's: each
// FORMAT:FILE gets its own file per target (FILE with the target's name
// before the extension), godog's formats through the run's format string
// and junit/html as reports to write from the result. Formats without a
// file are dropped: stdout carries the matrix, and the run shows godog's
// progress on stderr.
func matrixOutputs(outs outputs, name string) (godogFormat string, reports []output) {
	formats := []string{"progress"}
	for _, o := range outs {
		if o.path == "" {
			continue
		}
		ext := filepath.Ext(o.path)
		path := strings.TrimSuffix(o.path, ext) + "." + slug(name) + ext
		if slices.Contains(godogFormats, o.format) {
			formats = append(formats, o.format+":"+path)
			continue
		}
		reports = append(reports, output{format: o.format, path: path})
	}
	return strings.Join(formats, ","), reports
}

// slug turns a target's name (an image reference or a --target name) into
// a file name part: mariadb/maxscale:24.02 becomes mariadb-maxscale-24.02.
func slug(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '-'
	}, name)
}

// ledgerName is a ledger id as the user names it: none for "".
func ledgerName(id string) string {
	if id == "" {
		return noLedger
	}
	return id
}

// writeMatrixFiles writes the matrix to stdout and to dir/matrix.md.
func writeMatrixFiles(stdout io.Writer, dir string, runs []matrixRun) error {
	var b bytes.Buffer
	writeMatrix(&b, runs)
	path := filepath.Join(dir, matrixFile)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write the matrix: %w", err)
	}
	if _, err := stdout.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write the matrix: %w", err)
	}
	return nil
}

// matrixRow is one scenario across the targets.
type matrixRow struct {
	uri   string
	line  int
	name  string
	nth   int // among the rows of one outline with the same name
	label string
	cells []string // one per run
	diff  bool     // the verdicts differ between the targets that ran
}

// writeMatrix writes a markdown table of the verdict of every scenario
// against every target. A changed deviation (the target no longer behaves
// as its ledger records) and a failure are bold; a row whose verdicts
// differ between targets is marked, which is the regression check between
// releases. Below the table, the deviations that appeared and disappeared
// from one target to the next.
func writeMatrix(w io.Writer, runs []matrixRun) {
	fmt.Fprintf(w, "# mxharness release matrix\n\n")
	ledgers := slices.Compact(slices.Sorted(func(yield func(string) bool) {
		for _, r := range runs {
			if !yield(r.ledger) {
				return
			}
		}
	}))
	perColumn := len(ledgers) > 1
	judged := "Ledger `" + ledgerName(runs[0].ledger) + "`."
	if perColumn {
		judged = "Each target is judged with the ledger under its name."
	}
	fmt.Fprintf(w, "%s **bold**: a changed deviation (the target no longer behaves as the ledger records) or a failure; "+
		"Δ: the verdicts differ between targets. Deviation ids are in parentheses.\n\n", judged)
	fmt.Fprint(w, "| Δ | Scenario |")
	for _, r := range runs {
		head := r.name
		if perColumn {
			head += " (ledger " + ledgerName(r.ledger) + ")"
		}
		fmt.Fprintf(w, " %s |", mdCell(head))
	}
	fmt.Fprint(w, "\n|---|---|")
	for range runs {
		fmt.Fprint(w, "---|")
	}
	fmt.Fprintln(w)
	for _, row := range matrixRows(runs) {
		mark := ""
		if row.diff {
			mark = "Δ"
		}
		fmt.Fprintf(w, "| %s | %s |", mark, mdCell(row.label))
		for _, c := range row.cells {
			fmt.Fprintf(w, " %s |", c)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprint(w, "| | **total** |")
	for _, r := range runs {
		fmt.Fprintf(w, " %s |", totals(r))
	}
	fmt.Fprintln(w)
	writeDeviationChanges(w, runs)
}

// writeDeviationChanges lists, for each target after the first that ran,
// the deviation ids it showed that the previous one did not (appeared) and
// those the previous one showed that it did not (disappeared). A target
// shows a deviation when one of its scenarios behaved as its ledger
// records; judged without a ledger, it shows none (they are failures).
func writeDeviationChanges(w io.Writer, runs []matrixRun) {
	var ran []matrixRun
	for _, r := range runs {
		if r.result != nil {
			ran = append(ran, r)
		}
	}
	if len(ran) < 2 {
		return
	}
	fmt.Fprint(w, "\n## Deviations between targets\n\n")
	for i := 1; i < len(ran); i++ {
		before, after := deviationsSeen(ran[i-1].result), deviationsSeen(ran[i].result)
		appeared, disappeared := without(after, before), without(before, after)
		change := "no change"
		if len(appeared)+len(disappeared) > 0 {
			change = "appeared: " + listOrNone(appeared) + "; disappeared: " + listOrNone(disappeared)
		}
		fmt.Fprintf(w, "- %s → %s: %s\n", mdCell(ran[i-1].name), mdCell(ran[i].name), change)
	}
}

// deviationsSeen is the sorted set of deviation ids a run's scenarios
// showed: the ledger's observed behaviour held. The id of a changed
// deviation (a step's, not the scenario's) did not show.
func deviationsSeen(r *steps.Result) []string {
	var ids []string
	for _, s := range r.Scenarios {
		ids = append(ids, s.Deviations...)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// without is the ids of a that are not in b.
func without(a, b []string) []string {
	var out []string
	for _, id := range a {
		if !slices.Contains(b, id) {
			out = append(out, id)
		}
	}
	return out
}

func listOrNone(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}

// matrixRows lines the runs' scenarios up by file and line, the identity
// that holds across runs of the same features, in file and line order.
func matrixRows(runs []matrixRun) []matrixRow {
	// The rows of an outline's Examples share the outline's line: the name
	// (placeholders filled in) tells them apart, and nth the rows whose
	// names are the same too.
	type key struct {
		uri  string
		line int
		name string
		nth  int
	}
	rows := map[key]*matrixRow{}
	for i, r := range runs {
		if r.result == nil {
			continue
		}
		seen := map[key]int{}
		for _, s := range r.result.Scenarios {
			k := key{uri: s.URI, line: s.Line, name: s.Name}
			n := seen[k]
			seen[k]++
			k.nth = n
			row := rows[k]
			if row == nil {
				row = &matrixRow{uri: s.URI, line: s.Line, name: s.Name, nth: n, label: fmt.Sprintf("%s: %s", s.Feature, s.Name), cells: make([]string, len(runs))}
				rows[k] = row
			}
			row.cells[i] = verdictCell(s)
		}
	}
	out := make([]matrixRow, 0, len(rows))
	for _, row := range rows {
		first := ""
		for i, r := range runs {
			switch {
			case r.result == nil:
				// A target that did not run says nothing about a change.
				row.cells[i] = "not run"
				continue
			case row.cells[i] == "":
				row.cells[i] = "absent"
			}
			if first == "" {
				first = row.cells[i]
			}
			row.diff = row.diff || row.cells[i] != first
		}
		out = append(out, *row)
	}
	slices.SortFunc(out, func(a, b matrixRow) int {
		return cmp.Or(strings.Compare(a.uri, b.uri), cmp.Compare(a.line, b.line), strings.Compare(a.name, b.name), cmp.Compare(a.nth, b.nth))
	})
	return out
}

// verdictCell is a scenario's verdict with its deviation ids.
func verdictCell(s steps.ScenarioResult) string {
	text := string(s.Verdict)
	if ids := report.DeviationIDs(s); len(ids) > 0 {
		text += " (" + strings.Join(ids, ", ") + ")"
	}
	if s.Verdict == steps.ChangedDeviation || s.Verdict == steps.Fails {
		text = "**" + text + "**"
	}
	return mdCell(text)
}

// totals counts a target's verdicts, or says why it did not run.
func totals(r matrixRun) string {
	if r.result == nil {
		return mdCell("not run: " + oneLine(r.err))
	}
	n := r.result.Count()
	parts := []string{}
	for _, v := range []steps.Verdict{steps.Conforms, steps.KnownDeviation, steps.ChangedDeviation, steps.Fails, steps.Skipped} {
		if n[v] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n[v], v))
		}
	}
	if len(parts) == 0 {
		return "no scenarios"
	}
	return strings.Join(parts, ", ")
}

// mdCell makes text safe inside a markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.Join(strings.Fields(s), " ")
}
