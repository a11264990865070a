package steps

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cucumber/godog"

	"github.com/mxharness/mxharness/features"
)

// Options control a run of the suite.
type Options struct {
	// Tags is a godog tag expression, e.g. "~@slow" or "@sessions && ~@wip".
	Tags string
	// Ledger names the deviation ledger (features/deviations/<Ledger>.yaml);
	// "" judges every scenario against the documentation alone.
	Ledger string
	// Concurrency is how many scenarios run at once (default 1).
	Concurrency int
	// Randomize shuffles scenarios with this seed (0: file order, -1: random).
	Randomize int64
	// Format is passed to godog, e.g. "pretty" or "progress,junit:out.xml";
	// "" means "progress".
	Format string
	// Output receives godog's formatted output; nil discards it.
	Output io.Writer
	// Paths are feature files or directories on disk to run instead of the
	// embedded features; their ledgers are read from <first dir>/deviations.
	Paths []string
	// TestingT, when set, runs each scenario as a subtest of it (go test).
	TestingT *testing.T
	// Progress, when set, is told how many of the selected scenarios have
	// finished: once with 0 before the first starts, then after each one.
	// Calls come from the scenarios' goroutines, one at a time.
	Progress func(done, total int)
	// AllowEmpty runs a tag expression that selects no scenario; without
	// it, Run returns ErrNoScenarios.
	AllowEmpty bool
}

// runner is the state of one run: shared, read-only after setup, except for
// the result, which scenarios append to under mu.
type runner struct {
	target     Target
	httpClient *http.Client
	contract   *contract
	ledger     *Ledger
	defs       []stepDef
	defWhere   []string // defLocation of each of defs
	fsys       fs.FS
	sel        selected // the scenarios the run selects, and their steps' places

	// printers write the pretty and progress formats. A finished scenario
	// waits in pending until those before it in file order have finished
	// too; next is the index in sel.order of the first one not printed.
	printers []printer
	pending  map[string]ScenarioResult
	next     int

	mu     sync.Mutex
	result *Result
	// progress is Options.Progress, called under mu with the scenarios
	// finished and total, the number selected; nil for none.
	progress func(done, total int)
	total    int

	// exclusive lets a scenario tagged @exclusive (one that restarts every
	// session of the target) run alone: it takes the write lock, every other
	// scenario a read lock, so no scenario sees its sessions restarted by
	// another one.
	exclusive sync.RWMutex
}

// errSkipScenario skips a scenario the target cannot run (no read-only
// account, no second listener, not a simulator).
var errSkipScenario = godog.ErrSkip

// Run runs the features against t and returns a verdict per scenario.
// An error means the run could not be carried out (bad options, unreadable
// features, a malformed ledger) or was interrupted: once ctx is done, the
// scenarios not yet started are skipped and Run returns ctx's error with
// the partial Result. Failing scenarios are in the Result.
func Run(ctx context.Context, t Target, o Options) (*Result, error) {
	if t.APIURL == "" || t.SQLAddrs["RW-Split-Router"] == "" {
		return nil, errors.New("target needs an API URL and a RW-Split-Router SQL address")
	}
	fsys, paths, err := featureSource(o.Paths)
	if err != nil {
		return nil, err
	}
	r := &runner{
		target:     t,
		httpClient: t.HTTPClient,
		defs:       stepDefs(),
		fsys:       fsys,
		result:     &Result{Target: t.Name, Ledger: o.Ledger, Started: time.Now()},
	}
	if r.httpClient == nil {
		r.httpClient = &http.Client{Timeout: 10 * time.Second}
	}
	if r.contract, err = newContract(); err != nil {
		return nil, err
	}
	if o.Ledger != "" {
		if r.ledger, err = LoadLedger(fsys, o.Ledger); err != nil {
			return nil, err
		}
	}
	format := o.Format
	if format == "" {
		format = "progress"
	}
	out := o.Output
	if out == nil {
		out = io.Discard
	}
	var closePrinters func() error
	r.printers, format, closePrinters, err = splitFormats(format, out)
	if err != nil {
		return nil, err
	}
	r.pending = map[string]ScenarioResult{}
	if format == "" {
		// godog needs a formatter of its own; what it writes is not wanted.
		format, out = "progress", io.Discard
	}
	suite := godog.TestSuite{
		Name:                "sessions",
		ScenarioInitializer: r.initScenario,
		Options: &godog.Options{
			Format:         format,
			Output:         out,
			Paths:          paths,
			FS:             fsys,
			Tags:           o.Tags,
			Concurrency:    max(o.Concurrency, 1),
			Randomize:      o.Randomize,
			Strict:         true,
			NoColors:       true,
			DefaultContext: ctx,
			TestingT:       o.TestingT,
		},
	}
	// Checked here, not left to godog: its tag parser panics on a
	// malformed expression, and it passes a run that selects nothing.
	if r.sel, err = selectScenarios(o); err != nil {
		return nil, err
	}
	r.total = len(r.sel.order)
	for _, d := range r.defs {
		r.defWhere = append(r.defWhere, defLocation(d))
	}
	if o.Progress != nil {
		r.progress = o.Progress
		r.progress(0, r.total)
	}
	status := suite.Run()
	r.result.Duration = time.Since(r.result.Started)
	r.flush()
	if err := closePrinters(); err != nil {
		return r.result, err
	}
	if status == 2 && ctx.Err() == nil {
		return r.result, fmt.Errorf("godog could not run the features (status 2): check paths, tags and format")
	}
	slices.SortFunc(r.result.Scenarios, func(a, b ScenarioResult) int {
		if c := strings.Compare(a.URI, b.URI); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return strings.Compare(a.Name, b.Name)
	})
	if err := ctx.Err(); err != nil {
		return r.result, fmt.Errorf("the run was interrupted: %w", err)
	}
	return r.result, nil
}

// featureSource returns the file system and the paths in it to run: the
// embedded features, or the directories and files named on the command line.
func featureSource(paths []string) (fs.FS, []string, error) {
	if len(paths) == 0 {
		return features.FS, []string{"."}, nil
	}
	root := paths[0]
	if st, err := os.Stat(root); err != nil {
		return nil, nil, fmt.Errorf("features: %w", err)
	} else if !st.IsDir() {
		root = filepath.Dir(root)
	}
	rel := make([]string, len(paths))
	for i, p := range paths {
		r, err := filepath.Rel(root, p)
		if err != nil {
			return nil, nil, fmt.Errorf("features: %w", err)
		}
		rel[i] = filepath.ToSlash(r)
	}
	return os.DirFS(root), rel, nil
}

// initScenario is godog's scenario initializer: it gives every scenario its
// own state, registers the steps bound to it and collects its result.
func (r *runner) initScenario(sc *godog.ScenarioContext) {
	s := newScenario(r)
	var unlock func()
	sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
		tags := make([]string, len(p.Tags))
		for i, t := range p.Tags {
			tags[i] = t.Name
		}
		s.begin(p.Name, p.Uri, tags)
		if p.Location != nil {
			s.line = int(p.Location.Line)
		}
		if err := ctx.Err(); err != nil {
			// Interrupted (Ctrl-C): godog would start every remaining
			// scenario; each is skipped instead.
			return ctx, fmt.Errorf("%w: the run was interrupted (%v)", errSkipScenario, err)
		}
		if s.tags["@exclusive"] {
			r.exclusive.Lock()
			unlock = r.exclusive.Unlock
		} else {
			r.exclusive.RLock()
			unlock = r.exclusive.RUnlock
		}
		return ctx, r.skipReason(s)
	})
	sc.StepContext().Before(func(ctx context.Context, st *godog.Step) (context.Context, error) {
		s.beginStep(st.Text, r.stepFrom(st))
		return ctx, nil
	})
	sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
		s.endStep(st.Text, status.String(), err)
		return ctx, nil
	})
	sc.After(func(ctx context.Context, p *godog.Scenario, err error) (context.Context, error) {
		if unlock != nil {
			unlock()
			unlock = nil
		}
		s.close()
		r.add(p.Id, s.result(r.lineOf(p.Uri, p.Name)))
		return ctx, nil
	})
	for _, d := range r.defs {
		sc.Step(d.expr.String(), d.godogHandler(s))
	}
}

// skipReason says why the target cannot run s, or nil.
func (r *runner) skipReason(s *scenario) error {
	switch {
	case s.tags["@readonly"] && r.target.ReadOnlyUser == "":
		return fmt.Errorf("%w: the target has no read-only account", errSkipScenario)
	case s.tags["@read-connection-router"] && r.target.SQLAddrs["Read-Connection-Router"] == "":
		return fmt.Errorf("%w: the target has no Read-Connection-Router listener", errSkipScenario)
	case s.tags["@simulator"] && !r.target.Simulator:
		return fmt.Errorf("%w: the scenario needs the simulator's control API", errSkipScenario)
	}
	return nil
}

// add records the result of the scenario (pickle) id and prints every
// finished scenario whose turn in file order has come.
func (r *runner) add(id string, sr ScenarioResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.result.Scenarios = append(r.result.Scenarios, sr)
	if r.progress != nil {
		r.progress(len(r.result.Scenarios), r.total)
	}
	if !slices.Contains(r.sel.order[r.next:], id) {
		r.print(sr) // not in the selection's order (never expected): at once
		return
	}
	r.pending[id] = sr
	for r.next < len(r.sel.order) {
		next, ok := r.pending[r.sel.order[r.next]]
		if !ok {
			break
		}
		delete(r.pending, r.sel.order[r.next])
		r.print(next)
		r.next++
	}
}

// flush prints the scenarios still waiting (those after one that never
// finished, as when a run stops early) in file order and ends the output.
func (r *runner) flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range r.sel.order[r.next:] {
		if sr, ok := r.pending[id]; ok {
			r.print(sr)
		}
	}
	r.next, r.pending = len(r.sel.order), map[string]ScenarioResult{}
	for _, p := range r.printers {
		p.finish()
	}
}

func (r *runner) print(sr ScenarioResult) {
	for _, p := range r.printers {
		p.scenario(sr)
	}
}

// stepFrom is where a step comes from: its keyword and line in the
// feature file, and the definition that runs it (the first whose sentence
// matches, as godog picks it).
func (r *runner) stepFrom(st *godog.Step) StepResult {
	var from StepResult
	if len(st.AstNodeIds) > 0 {
		src := r.sel.steps[st.AstNodeIds[0]]
		from.Keyword, from.Line = src.keyword, src.line
	}
	for i, d := range r.defs {
		if d.expr.MatchString(st.Text) {
			from.Def = r.defWhere[i]
			break
		}
	}
	return from
}

var (
	scenarioLine = regexp.MustCompile(`^\s*Scenario(?: Outline| Template)?:\s*(.*?)\s*$`)
	outlineParam = regexp.MustCompile(`<[^>]+>`)
)

// lineOf finds the line of the scenario (or outline) called name in the
// feature file at uri. Outline names have <placeholders> filled in by godog,
// so a placeholder matches anything.
func (r *runner) lineOf(uri, name string) int {
	f, err := r.fsys.Open(strings.TrimPrefix(uri, "./"))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		m := scenarioLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		parts := outlineParam.Split(m[1], -1)
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		if regexp.MustCompile("^" + strings.Join(parts, ".*") + "$").MatchString(name) {
			return n
		}
	}
	return 0
}

var featureLine = regexp.MustCompile(`^\s*Feature:\s*(.*?)\s*$`)

// featureName reads the name of the feature in the file at uri.
func featureName(fsys fs.FS, uri string) string {
	f, err := fsys.Open(strings.TrimPrefix(uri, "./"))
	if err != nil {
		return uri
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := featureLine.FindStringSubmatch(sc.Text()); m != nil {
			return m[1]
		}
	}
	return uri
}
