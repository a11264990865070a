package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mxharness/mxharness/features"
	"github.com/mxharness/mxharness/report"
	"github.com/mxharness/mxharness/steps"
	"github.com/mxharness/mxharness/target"
)

func init() {
	commands["verify"] = command{
		summary: "run the conformance scenarios against the embedded simulator, a running server or containers",
		run:     runVerify,
	}
}

// Exit statuses of verify.
const (
	verifyPass  = 0 // nothing failed (changed deviations only warn)
	verifyFail  = 1 // a scenario fails, or a deviation changed with --strict-ledger
	verifyUsage = 2 // bad flags, or the suite could not run (target unreachable, report not written)
)

// noLedger is the --ledger value that asks for no ledger at all.
const noLedger = "none"

// Report formats. pretty and progress are written by package steps while
// the suite runs (each scenario whole, in file order); junit, html and
// cucumber are written from the result by package report, because only the
// result knows verdicts, ledger ids and why a scenario was skipped.
var (
	godogFormats  = []string{"pretty", "progress"}
	reportFormats = []string{"junit", "html", "cucumber"}
)

// output is one --format: a format and the file it goes to ("" is stdout).
type output struct {
	format, path string
}

// outputs is the repeatable --format flag.
type outputs []output

func (o *outputs) String() string {
	if o == nil {
		return ""
	}
	parts := make([]string, len(*o))
	for i, out := range *o {
		parts[i] = out.format
		if out.path != "" {
			parts[i] += ":" + out.path
		}
	}
	return strings.Join(parts, ",")
}

func (o *outputs) Set(v string) error {
	name, path, hasPath := strings.Cut(v, ":")
	if !slices.Contains(godogFormats, name) && !slices.Contains(reportFormats, name) {
		return fmt.Errorf("unknown format %q: want one of %s, optionally followed by :FILE",
			name, strings.Join(slices.Concat(godogFormats, reportFormats), ", "))
	}
	if hasPath && path == "" {
		return fmt.Errorf("format %q: no file name after ':'", v)
	}
	*o = append(*o, output{format: name, path: path})
	return nil
}

// prepare makes sure every report can be written before the suite runs
// (a run of minutes must not end in "no such directory"): it creates each
// report's directory and writes and removes a file there.
func (o outputs) prepare() error {
	for _, out := range o {
		if out.path == "" {
			continue
		}
		dir := filepath.Dir(out.path)
		err := os.MkdirAll(dir, 0o755)
		if err == nil {
			var f *os.File
			if f, err = os.CreateTemp(dir, ".mxharness-check-*"); err == nil {
				f.Close()
				err = os.Remove(f.Name())
			}
		}
		if err != nil {
			return fmt.Errorf("--format %s:%s: the report cannot be written: %w", out.format, out.path, unwrapPath(err))
		}
	}
	return nil
}

// unwrapPath is the cause of a file system error without the path the
// message around it already names.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s %s: %w", pe.Op, pe.Path, pe.Err)
	}
	return err
}

// verifyConfig is what the verify flags ask for, checked and with defaults
// applied. runSuite takes it as it is; another way of finding targets (the
// container matrix) may copy it and change ledger or outputs per target.
type verifyConfig struct {
	profile string // simulator profile of the embedded target

	connFlags                 // a running server ("" = embedded) and its accounts
	roUser, roPassword string // REST read-only account ("" = scenarios that need it skip)

	tags      string
	outputs   outputs
	ledger    string // ledger id, "" for none (resolved: see ledgerSet)
	ledgerSet bool   // --ledger VERSION was given; otherwise the target's default applies
	// targetLedgers are --ledger NAME=VERSION: the ledger of one target of
	// a matrix (a --target name or a --container image), "" for none.
	targetLedgers map[string]string
	matrixDir     string // where a matrix run writes matrix.md and a JUnit file per target
	allowEmpty    bool   // a --tags that selects no scenario is not an error
	concurrency   int
	progress      bool // force the progress line even when stderr is not a terminal
	strictLedger  bool
}

// verifyMode is another way to find targets, added to verify by another file
// of this package without editing this one (verify_container.go adds
// --container and --maxscale-image). Its constructor, in verifyModes, adds
// its flags to verify's flag set; after parsing, chosen says whether the user
// asked for it, and run runs the suite (runSuite once per target, or its own
// way) with the parsed configuration.
type verifyMode interface {
	chosen() bool
	run(ctx context.Context, cfg verifyConfig, stdout, stderr io.Writer) int
}

// verifyModes holds the constructors of the extra modes; other files append
// to it in their init functions, as subcommands do to commands.
var verifyModes []func(fs *flag.FlagSet) verifyMode

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, modes, err := parseVerifyFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return verifyPass
	}
	if err != nil {
		// One line per mistake: a usage dump would bury it in a CI log.
		fmt.Fprintf(stderr, "mxharness verify: %v (mxharness verify -h lists the flags)\n", err)
		return verifyUsage
	}
	if err := cfg.outputs.prepare(); err != nil {
		fmt.Fprintf(stderr, "mxharness verify: %v\n", err)
		return verifyUsage
	}
	var chosen []verifyMode
	for _, m := range modes {
		if m.chosen() {
			chosen = append(chosen, m)
		}
	}
	switch {
	case len(chosen) > 1 || len(chosen) == 1 && cfg.apiURL != "":
		fmt.Fprintln(stderr, "mxharness verify: --api, --target/--targets and --container are different ways to name targets; pick one")
		return verifyUsage
	case len(chosen) == 1:
		return chosen[0].run(ctx, cfg, stdout, stderr)
	case len(cfg.targetLedgers) > 0:
		fmt.Fprintln(stderr, "mxharness verify: --ledger NAME=VERSION gives one target of a matrix (--target, --container) its ledger; for a single target use --ledger VERSION")
		return verifyUsage
	}
	if cfg.apiURL != "" {
		return runSuite(ctx, urlTarget(cfg), cfg, stdout, stderr)
	}
	return runEmbedded(ctx, cfg, stdout, stderr)
}

// connFlags name a running target and the accounts to reach it with: the
// flags verify, mutate and capture share.
type connFlags struct {
	apiURL, sqlAddr, sqlRConnAddr string // "" = embedded
	user, password                string // REST admin account
	sqlUser, sqlPassword          string // SQL account of the clients
}

// define defines c's flags on fs. forSuite adds what the suite does
// without one (verify and mutate run it; capture does not).
func (c *connFlags) define(fs *flag.FlagSet, forSuite bool) {
	api, sql, rconn := "", "", ""
	if forSuite {
		api, sql, rconn = "; without it the suite runs against an embedded simulator", "; required with --api", "; scenarios that need it skip without it"
	}
	fs.StringVar(&c.apiURL, "api", "", "REST API `URL` of a running MaxScale or mxharness serve (e.g. http://127.0.0.1:8989)"+api)
	fs.StringVar(&c.sqlAddr, "sql", "", "`HOST:PORT` of the target's readwritesplit listener (RW-Split-Router)"+sql)
	fs.StringVar(&c.sqlRConnAddr, "sql-rconn", "", "`HOST:PORT` of the target's readconnroute listener (Read-Connection-Router)"+rconn)
	fs.StringVar(&c.user, "user", "admin", "REST API admin user")
	fs.StringVar(&c.password, "password", "mariadb", "REST API admin password")
	fs.StringVar(&c.sqlUser, "sql-user", "maxuser", "SQL user the clients log in as")
	fs.StringVar(&c.sqlPassword, "sql-password", "maxpwd", "password of --sql-user")
}

// targetFlags defines the flags that name a running target and its accounts,
// shared by verify and mutate, which both drive the suite against one.
func (cfg *verifyConfig) targetFlags(fs *flag.FlagSet) {
	cfg.connFlags.define(fs, true)
	fs.StringVar(&cfg.roUser, "ro-user", "", "REST API read-only (basic) user; scenarios that need one skip without it (embedded: basic)")
	fs.StringVar(&cfg.roPassword, "ro-password", "", "password of --ro-user")
}

// parseVerifyFlags parses and checks verify's flags. It returns
// flag.ErrHelp after printing the usage for -h.
func parseVerifyFlags(args []string, stderr io.Writer) (verifyConfig, []verifyMode, error) {
	var cfg verifyConfig
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	// The flag package prints a mistake and the whole usage; runVerify
	// prints the mistake alone, and the usage only for -h.
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.profile, "profile", "maxscale-24.02", "simulator profile of the embedded target: "+profileList()+" (maxscale-X.Y behaves like that MaxScale release line, documented as the docs say)")
	cfg.targetFlags(fs)
	fs.StringVar(&cfg.tags, "tags", "", "run only the scenarios whose tags match this godog tag `EXPR` (e.g. '@smoke', '~@slow', '@get && ~@wip', '@a,@b')")
	fs.Var(&cfg.outputs, "format", "report `FORMAT[:FILE]`, repeatable; FORMAT is pretty, progress, junit, cucumber or html; without :FILE it goes to stdout (at most one); default pretty")
	var ledger ledgerFlag
	fs.Var(&ledger, "ledger", "deviation ledger `VERSION` to judge the target with, or none (default: none with --api, the profile's ledger for the embedded simulator); "+
		"NAME=VERSION gives one target of a matrix (--target, --container) its own ledger, repeatable")
	fs.StringVar(&cfg.matrixDir, "matrix-dir", "out/matrix", "`DIR` where a matrix (--target, --container) writes matrix.md and one JUnit file per target")
	fs.BoolVar(&cfg.allowEmpty, "allow-empty", false, "accept a --tags expression that selects no scenario (by default that is an error: a mistyped filter must not pass)")
	fs.IntVar(&cfg.concurrency, "concurrency", 4, "scenarios run at the same time")
	fs.BoolVar(&cfg.progress, "progress", false, "print a progress line to stderr even when it is not a terminal")
	fs.BoolVar(&cfg.strictLedger, "strict-ledger", false, "fail when a deviation recorded in the ledger has changed (by default it only warns)")
	modes := make([]verifyMode, 0, len(verifyModes))
	for _, newMode := range verifyModes {
		modes = append(modes, newMode(fs))
	}
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fmt.Fprint(stderr, verifyUsageText)
			fs.PrintDefaults()
		}
		return cfg, nil, err
	}
	if fs.NArg() > 0 {
		return cfg, nil, fmt.Errorf("unexpected argument %q (verify takes only flags)", fs.Arg(0))
	}
	cfg.ledgerSet, cfg.targetLedgers = ledger.set, ledger.perTarget
	if err := cfg.check(); err != nil {
		return cfg, nil, err
	}
	// A tag no scenario has, in a selection that is not empty: most often
	// a misspelt exclusion, which then excludes nothing. Said, not refused.
	if unknown, _ := steps.UnknownTags(steps.Options{Tags: cfg.tags}); len(unknown) > 0 {
		fmt.Fprintf(stderr, "mxharness verify: warning: no scenario is tagged %s (--tags %q); check the spelling\n", strings.Join(unknown, ", "), cfg.tags)
	}
	switch {
	case cfg.ledgerSet:
		cfg.ledger = ledger.value
	case cfg.apiURL == "":
		cfg.ledger, _ = profileLedger(cfg.profile)
	}
	return cfg, modes, nil
}

// ledgerFlag is the repeatable --ledger flag: VERSION (or none) for every
// target, and NAME=VERSION for one target of a matrix. Each ledger named
// is checked to exist when the flag is parsed, before anything runs.
type ledgerFlag struct {
	value     string // VERSION; "" for none
	set       bool
	perTarget map[string]string
}

func (l *ledgerFlag) String() string {
	if l == nil {
		return ""
	}
	return l.value
}

func (l *ledgerFlag) Set(v string) error {
	name, version, perTarget := strings.Cut(v, "=")
	if !perTarget {
		version = v
	}
	version, err := ledgerID(version)
	if err != nil {
		return err
	}
	if !perTarget {
		l.value, l.set = version, true
		return nil
	}
	if name == "" {
		return fmt.Errorf("--ledger %q: no target name before '='", v)
	}
	if l.perTarget == nil {
		l.perTarget = map[string]string{}
	}
	l.perTarget[name] = version
	return nil
}

// ledgerFor is the ledger the target called name is judged with in a
// matrix: its own --ledger NAME=VERSION, or else the one for every target.
func (cfg verifyConfig) ledgerFor(name string) string {
	if l, ok := cfg.targetLedgers[name]; ok {
		return l
	}
	return cfg.ledger
}

// ledgerID checks that the ledger VERSION exists among the embedded
// ledgers and returns its id, "" for none.
func ledgerID(version string) (string, error) {
	if version == noLedger {
		return "", nil
	}
	known := knownLedgers()
	if !slices.Contains(known, version) {
		return "", fmt.Errorf("unknown ledger %q: want one of %s, or %s", version, strings.Join(known, ", "), noLedger)
	}
	return version, nil
}

// knownLedgers lists the ledgers embedded in the binary
// (features/deviations/*.yaml), sorted.
func knownLedgers() []string {
	files, _ := fs.Glob(features.FS, "deviations/*.yaml") // the pattern is valid
	ids := make([]string, len(files))
	for i, f := range files {
		ids[i] = strings.TrimSuffix(path.Base(f), ".yaml")
	}
	return ids
}

const verifyUsageText = `usage: mxharness verify [flags]

Runs the conformance scenarios of the MaxScale sessions API and judges each
one: conforms, known deviation, changed deviation, fails or skipped.

  mxharness verify                                   embedded simulator, profile maxscale-24.02
  mxharness verify --profile documented              embedded simulator that behaves as the docs say
  mxharness verify --api http://127.0.0.1:8989 --sql 127.0.0.1:4006 --ledger maxscale-24.02
  mxharness verify --format progress --format junit:verify.xml --format html:verify.html

Exit status: 0 nothing failed, 1 a scenario failed (or a deviation changed
with --strict-ledger), 2 bad flags or the suite could not run.

flags:
`

func (cfg *verifyConfig) check() error {
	if _, ok := profileLedger(cfg.profile); !ok {
		return fmt.Errorf("unknown --profile %q: want %s", cfg.profile, profileList())
	}
	if cfg.apiURL != "" {
		if !isHTTPURL(cfg.apiURL) {
			return fmt.Errorf("--api %q is not an http(s) URL such as http://127.0.0.1:8989", cfg.apiURL)
		}
		if cfg.sqlAddr == "" {
			return errors.New("--api needs --sql HOST:PORT, the target's SQL listener: scenarios create sessions by connecting to it")
		}
	} else if cfg.sqlAddr != "" || cfg.sqlRConnAddr != "" {
		return errors.New("--sql and --sql-rconn need --api: without it the suite runs against an embedded simulator with its own listeners")
	}
	for _, a := range []struct{ flag, addr string }{{"--sql", cfg.sqlAddr}, {"--sql-rconn", cfg.sqlRConnAddr}} {
		if a.addr == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(a.addr); err != nil {
			return fmt.Errorf("%s %q is not HOST:PORT", a.flag, a.addr)
		}
	}
	if (cfg.roUser == "") != (cfg.roPassword == "") {
		return errors.New("--ro-user and --ro-password go together")
	}
	if _, err := steps.Selection(steps.Options{Tags: cfg.tags, AllowEmpty: cfg.allowEmpty}); err != nil {
		if errors.Is(err, steps.ErrNoScenarios) {
			return fmt.Errorf("--tags: %w; --allow-empty accepts that", err)
		}
		return fmt.Errorf("--tags: %w", err)
	}
	if cfg.concurrency < 1 {
		return fmt.Errorf("--concurrency %d: want 1 or more", cfg.concurrency)
	}
	if len(cfg.outputs) == 0 {
		cfg.outputs = outputs{{format: "pretty"}}
	}
	toStdout := 0
	files := map[string]bool{}
	for _, o := range cfg.outputs {
		if o.path == "" {
			toStdout++
			continue
		}
		if files[o.path] {
			return fmt.Errorf("--format: two reports would write %s", o.path)
		}
		files[o.path] = true
	}
	if toStdout > 1 {
		return fmt.Errorf("--format %s: at most one format may go to stdout; give the others a file (FORMAT:FILE)", cfg.outputs.String())
	}
	return nil
}

// isHTTPURL reports whether s is an http(s) URL with a host.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// urlTarget is a running server named by --api and --sql.
func urlTarget(cfg verifyConfig) steps.Target {
	base := strings.TrimSuffix(strings.TrimSuffix(cfg.apiURL, "/"), "/v1")
	addrs := map[string]string{"RW-Split-Router": cfg.sqlAddr}
	if cfg.sqlRConnAddr != "" {
		addrs["Read-Connection-Router"] = cfg.sqlRConnAddr
	}
	return steps.Target{
		Name:             base,
		APIURL:           base,
		SQLAddrs:         addrs,
		User:             cfg.user,
		Password:         cfg.password,
		ReadOnlyUser:     cfg.roUser,
		ReadOnlyPassword: cfg.roPassword,
		SQLUser:          cfg.sqlUser,
		SQLPassword:      cfg.sqlPassword,
	}
}

// runEmbedded starts a simulator in this process and runs the suite on it.
func runEmbedded(ctx context.Context, cfg verifyConfig, stdout, stderr io.Writer) int {
	tgt, stop, err := target.InProcess(ctx, cfg.profile)
	if err != nil {
		fmt.Fprintf(stderr, "mxharness verify: start the embedded simulator (profile %s): %v\n", cfg.profile, err)
		return verifyUsage
	}
	defer stop()
	return runSuite(ctx, tgt, cfg, stdout, stderr)
}

// runSuite runs the suite once against tgt, writes the reports cfg asks for
// and a summary, and returns verify's exit status. It is the one entry point
// for every kind of target: embedded, --api, and each container of a matrix.
func runSuite(ctx context.Context, tgt steps.Target, cfg verifyConfig, stdout, stderr io.Writer) int {
	if !tgt.Simulator {
		if err := checkTarget(ctx, tgt); err != nil {
			fmt.Fprintf(stderr, "mxharness verify: %v\n", err)
			return verifyUsage
		}
	}
	// The summary goes with the human-readable output; when stdout carries a
	// machine format (junit, cucumber, html), it goes to stderr instead.
	summaryOut, stdoutHuman := stdout, false
	opts := steps.Options{Tags: cfg.tags, AllowEmpty: cfg.allowEmpty, Ledger: cfg.ledger, Concurrency: cfg.concurrency, Output: stdout}
	var godogFmts []string
	for _, o := range cfg.outputs {
		switch {
		case o.path != "":
		case o.format == "pretty" || o.format == "progress":
			stdoutHuman = true
		default:
			summaryOut = stderr
		}
		if slices.Contains(godogFormats, o.format) {
			f := o.format
			if o.path != "" {
				f += ":" + o.path
			}
			godogFmts = append(godogFmts, f)
		}
	}
	if len(godogFmts) == 0 {
		// godog needs a formatter; its output is not wanted.
		godogFmts, opts.Output = []string{"progress"}, io.Discard
	}
	opts.Format = strings.Join(godogFmts, ",")

	var stopProgress func()
	opts.Progress, stopProgress = startProgress(ctx, cfg, stdoutHuman, stdout, stderr)
	res, err := steps.Run(ctx, tgt, opts)
	stopProgress()
	if err != nil {
		fmt.Fprintf(stderr, "mxharness verify: run the suite against %s: %v\n", tgt.Name, err)
		return verifyUsage
	}
	status := verifyPass
	for _, o := range cfg.outputs {
		if err := writeReport(o, res, stdout); err != nil {
			fmt.Fprintf(stderr, "mxharness verify: %v\n", err)
			status = verifyUsage
		}
	}
	fmt.Fprintln(summaryOut)
	if err := report.Summary(summaryOut, res); err != nil {
		fmt.Fprintf(stderr, "mxharness verify: %v\n", err)
	}
	if s := verdictLine(summaryOut, res, cfg); status == verifyPass {
		status = s
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "mxharness verify: interrupted; the results above are incomplete")
		return verifyUsage
	}
	return status
}

// verdictLine writes the last line of a run, the one that explains the exit
// status, and returns that status.
func verdictLine(w io.Writer, res *steps.Result, cfg verifyConfig) int {
	counts := res.Count()
	fails, changed := counts[steps.Fails], counts[steps.ChangedDeviation]
	ledger := ledgerName(cfg.ledger)
	switch {
	case fails > 0:
		fmt.Fprintf(w, "\nFAIL: %d of %d scenarios fail against %s\n", fails, len(res.Scenarios), res.Target)
		return verifyFail
	case changed > 0 && cfg.strictLedger:
		fmt.Fprintf(w, "\nFAIL: %s a changed deviation from ledger %s (--strict-ledger); update features/deviations/%s.yaml\n", scenariosShow(changed), ledger, ledger)
		return verifyFail
	case changed > 0:
		fmt.Fprintf(w, "\nWARNING: %s a changed deviation: the target no longer behaves as ledger %s records. "+
			"Update features/deviations/%s.yaml (or pass --strict-ledger to make this fail).\nPASS with warnings\n", scenariosShow(changed), ledger, ledger)
		return verifyPass
	default:
		fmt.Fprintln(w, "\nPASS")
		return verifyPass
	}
}

func scenariosShow(n int) string {
	if n == 1 {
		return "1 scenario shows"
	}
	return fmt.Sprintf("%d scenarios show", n)
}

// writeReport writes one junit, html or cucumber report; pretty and
// progress were written by the run itself.
func writeReport(o output, res *steps.Result, stdout io.Writer) error {
	var write func(io.Writer, *steps.Result) error
	switch o.format {
	case "junit":
		write = report.JUnit
	case "html":
		write = report.HTML
	case "cucumber":
		write = report.Cucumber
	default:
		return nil
	}
	if o.path == "" {
		return write(stdout, res)
	}
	f, err := os.Create(o.path)
	if err != nil {
		return fmt.Errorf("write the %s report: %w", o.format, err)
	}
	if err := write(f, res); err != nil {
		f.Close()
		return fmt.Errorf("write the %s report to %s: %w", o.format, o.path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write the %s report to %s: %w", o.format, o.path, err)
	}
	return nil
}

// checkTarget makes sure a running server answers before the suite starts,
// so that an unreachable target is one clear line rather than a hundred
// failing scenarios.
func checkTarget(ctx context.Context, tgt steps.Target) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	client := tgt.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	u := tgt.APIURL + "/v1/maxscale"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("REST API URL %q: %w", tgt.APIURL, err)
	}
	req.SetBasicAuth(tgt.User, tgt.Password)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the REST API at %s (%v): start a simulator with 'mxharness serve', or point --api at a running MaxScale", tgt.APIURL, err)
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("the REST API at %s refused user %q (%s): pass its admin account with --user and --password", tgt.APIURL, tgt.User, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("GET %s answered %s, not 200: is %s a MaxScale REST API?", u, resp.Status, tgt.APIURL)
	}
	var d net.Dialer
	for service, addr := range tgt.SQLAddrs {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return fmt.Errorf("cannot reach the SQL listener of %s at %s (%v): check --sql/--sql-rconn", service, addr, err)
		}
		conn.Close()
	}
	return nil
}

// startProgress starts the progress line, "verify: 12/186 scenarios, 14s"
// on stderr, and returns the steps.Options.Progress that feeds it (nil
// when there is no progress line). Call stop when the suite has run.
//
// On a terminal the line is rewritten in place every second, unless godog's
// pretty or progress output shows on the same terminal (it would garble the
// line, and shows progress itself). --progress forces it, as a new line
// every five seconds where it cannot be rewritten (a CI log).
func startProgress(ctx context.Context, cfg verifyConfig, stdoutHuman bool, stdout, stderr io.Writer) (progress func(done, total int), stop func()) {
	tty := isTerminal(stderr) && !(stdoutHuman && isTerminal(stdout))
	if !tty && !cfg.progress {
		return nil, func() {}
	}
	var done, total atomic.Int64
	start := time.Now()
	interval, end := 5*time.Second, "\n"
	if tty {
		interval, end = time.Second, "\r"
	}
	line := func() {
		fmt.Fprintf(stderr, "verify: %d/%d scenarios, %s%s", done.Load(), total.Load(), time.Since(start).Round(time.Second), end)
	}
	finished := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				line()
			case <-finished:
				return
			case <-ctx.Done():
				return
			}
		}
	})
	return func(d, t int) {
			done.Store(int64(d))
			total.Store(int64(t))
		}, func() {
			close(finished)
			wg.Wait()
			if tty {
				fmt.Fprint(stderr, "\r\033[K") // the summary follows
			} else {
				line() // a log gets the final count
			}
		}
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
