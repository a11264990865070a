package main

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mxharness/mxharness/steps"
)

// matrixRun is the outcome of the suite against one image of a matrix: a
// result, or the error that kept the suite from running.
type matrixRun struct {
	image  string
	result *steps.Result
	err    error
	status int // verify's exit status for this image
}

// matrixFile is the matrix's name in the matrix directory.
const matrixFile = "matrix.md"

// writeMatrixFiles writes the matrix to stdout and to dir/matrix.md.
func writeMatrixFiles(stdout io.Writer, dir, ledger string, runs []matrixRun) error {
	var b bytes.Buffer
	writeMatrix(&b, ledger, runs)
	path := filepath.Join(dir, matrixFile)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write the matrix: %w", err)
	}
	if _, err := stdout.Write(b.Bytes()); err != nil {
		return fmt.Errorf("write the matrix: %w", err)
	}
	return nil
}

// matrixRow is one scenario across the images.
type matrixRow struct {
	uri   string
	line  int
	label string
	cells []string // one per run
	diff  bool     // the verdicts differ between the images that ran
}

// writeMatrix writes a markdown table of the verdict of every scenario
// against every image. A changed deviation (the image no longer behaves
// as the ledger records) and a failure are bold; a row whose verdicts
// differ between images is marked, which is the regression check between
// releases.
func writeMatrix(w io.Writer, ledger string, runs []matrixRun) {
	if ledger == "" {
		ledger = noLedger
	}
	fmt.Fprintf(w, "# mxharness release matrix\n\n")
	fmt.Fprintf(w, "Ledger `%s`. **bold**: a changed deviation (the image no longer behaves as the ledger records) or a failure; "+
		"Δ: the verdicts differ between images. Deviation ids are in parentheses.\n\n", ledger)
	fmt.Fprint(w, "| Δ | Scenario |")
	for _, r := range runs {
		fmt.Fprintf(w, " %s |", mdCell(r.image))
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
}

// matrixRows lines the runs' scenarios up by file and line, the identity
// that holds across runs of the same features, in file and line order.
func matrixRows(runs []matrixRun) []matrixRow {
	type key struct {
		uri  string
		line int
	}
	rows := map[key]*matrixRow{}
	for i, r := range runs {
		if r.result == nil {
			continue
		}
		for _, s := range r.result.Scenarios {
			k := key{s.URI, s.Line}
			row := rows[k]
			if row == nil {
				row = &matrixRow{uri: s.URI, line: s.Line, label: fmt.Sprintf("%s: %s", s.Feature, s.Name), cells: make([]string, len(runs))}
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
				// An image that did not run says nothing about a change.
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
		return cmp.Or(strings.Compare(a.uri, b.uri), cmp.Compare(a.line, b.line))
	})
	return out
}

// verdictCell is a scenario's verdict with its deviation ids.
func verdictCell(s steps.ScenarioResult) string {
	text := string(s.Verdict)
	if len(s.Deviations) > 0 {
		text += " (" + strings.Join(slices.Compact(slices.Clone(s.Deviations)), ", ") + ")"
	}
	if s.Verdict == steps.ChangedDeviation || s.Verdict == steps.Fails {
		text = "**" + text + "**"
	}
	return mdCell(text)
}

// totals counts an image's verdicts, or says why it did not run.
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
