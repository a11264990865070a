package steps

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
)

// The pretty and progress formats are written here, not by godog. godog's
// own formatters print as steps finish, so at a concurrency above 1 the
// scenarios of one feature land under another's heading; they name every
// step's definition "run.go:234 -> reflect.makeFuncStub" (the steps are
// built with reflect.MakeFunc); and they end with godog's count of passed
// and failed scenarios, which disagrees with the verdicts (a known
// deviation passes in godog's eyes, a skipped scenario has no reason).
// These formats print each scenario whole, in file order, once it and the
// scenarios before it have finished, from its ScenarioResult.

// ownFormats are the formats this package writes.
var ownFormats = []string{"pretty", "progress"}

// printer writes scenarios as they finish, in file order, and then the end
// of its output.
type printer interface {
	scenario(ScenarioResult)
	finish()
}

// splitFormats separates the formats this package writes (each with the
// writer it goes to: out, or the file after ':') from the rest, which it
// returns as a format string for godog. close closes the files.
func splitFormats(format string, out io.Writer) (printers []printer, godogFormat string, closeAll func() error, err error) {
	var files []*os.File
	closeAll = func() error {
		var first error
		for _, f := range files {
			if err := f.Close(); err != nil && first == nil {
				first = err
			}
		}
		return first
	}
	var rest []string
	for _, f := range strings.Split(format, ",") {
		name, path, toFile := strings.Cut(f, ":")
		if !slices.Contains(ownFormats, name) {
			rest = append(rest, f)
			continue
		}
		w := out
		if toFile {
			file, err := os.Create(path)
			if err != nil {
				closeAll()
				return nil, "", nil, fmt.Errorf("%s report: %w", name, err)
			}
			files = append(files, file)
			w = file
		}
		if name == "pretty" {
			printers = append(printers, &prettyPrinter{w: w})
		} else {
			printers = append(printers, &progressPrinter{w: w})
		}
	}
	return printers, strings.Join(rest, ","), closeAll, nil
}

// prettyPrinter writes each scenario with its steps, each step with its
// line in the feature file and its definition, its errors and deviations,
// and the scenario's verdict.
type prettyPrinter struct {
	w       io.Writer
	feature string // the URI of the feature whose heading was printed last
}

func (p *prettyPrinter) scenario(s ScenarioResult) {
	var b strings.Builder
	if s.URI != p.feature {
		if p.feature != "" {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "Feature: %s\n", s.Feature)
		p.feature = s.URI
	}
	lines := [][2]string{{"  Scenario: " + s.Name, place(s.URI, cmp.Or(s.RowLine, s.Line))}}
	if s.Verdict != Skipped {
		for _, st := range s.Steps {
			lines = append(lines, [2]string{"    " + strings.TrimSpace(st.Keyword+" "+st.Text), strings.TrimSpace(place(s.URI, st.Line) + " " + st.Def)})
		}
	}
	width := 0
	for _, l := range lines {
		width = max(width, len(l[0]))
	}
	b.WriteString("\n")
	for i, l := range lines {
		fmt.Fprintf(&b, "%-*s # %s\n", width, l[0], l[1])
		if i == 0 {
			continue
		}
		st := s.Steps[i-1]
		if st.Deviation != "" && st.Status == "passed" && s.Verdict != ChangedDeviation {
			fmt.Fprintf(&b, "      deviation %s: the ledger's observed behaviour held\n", st.Deviation)
		}
		if st.Error != "" {
			fmt.Fprintf(&b, "      %s: %s\n", st.Status, indent(st.Error, "        "))
		}
	}
	switch {
	case s.Verdict == Skipped:
		fmt.Fprintf(&b, "    skipped: %s\n", cmp.Or(s.SkipReason, "not run"))
	case len(s.Deviations) > 0:
		fmt.Fprintf(&b, "    => %s (%s)\n", s.Verdict, strings.Join(s.Deviations, ", "))
	default:
		fmt.Fprintf(&b, "    => %s\n", s.Verdict)
	}
	io.WriteString(p.w, b.String())
}

func (p *prettyPrinter) finish() {}

// progressPrinter writes one character per step, as godog's progress
// format does, 70 to a line with the count of steps at its end.
type progressPrinter struct {
	w     io.Writer
	steps int
}

var progressMark = map[string]string{"passed": ".", "failed": "F", "skipped": "-", "undefined": "U", "pending": "P", "ambiguous": "A"}

func (p *progressPrinter) scenario(s ScenarioResult) {
	var b strings.Builder
	for _, st := range s.Steps {
		b.WriteString(cmp.Or(progressMark[st.Status], "?"))
		p.steps++
		if p.steps%70 == 0 {
			fmt.Fprintf(&b, " %d\n", p.steps)
		}
	}
	io.WriteString(p.w, b.String())
}

func (p *progressPrinter) finish() {
	if rest := p.steps % 70; rest != 0 {
		fmt.Fprintf(p.w, "%s %d\n", strings.Repeat(" ", 70-rest), p.steps)
	}
}

// place is uri:line, or uri alone when the line is unknown.
func place(uri string, line int) string {
	uri = strings.TrimPrefix(uri, "./")
	if line == 0 {
		return uri
	}
	return fmt.Sprintf("%s:%d", uri, line)
}

// indent puts prefix before every line of text but the first.
func indent(text, prefix string) string {
	return strings.ReplaceAll(strings.TrimRight(text, "\n"), "\n", "\n"+prefix)
}

// defLocation names a step definition as its Go source and function,
// "defs_client.go:20 -> steps.clientSteps.func1", which is where a reader
// of the output finds the code behind a step.
func defLocation(d stepDef) string {
	pc := reflect.ValueOf(d.fn).Pointer()
	f := runtime.FuncForPC(pc)
	if f == nil {
		return ""
	}
	file, line := f.FileLine(f.Entry())
	name := f.Name()
	name = name[strings.LastIndex(name, "/")+1:]
	return fmt.Sprintf("%s:%d -> %s", filepath.Base(file), line, name)
}
