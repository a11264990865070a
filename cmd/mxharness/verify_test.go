package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/mxharness/mxharness/steps"
	"github.com/mxharness/mxharness/target"
)

func TestParseVerifyFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string // substring of the error; "" = no error
		check   func(t *testing.T, cfg verifyConfig)
	}{
		{
			name: "defaults: embedded simulator, its ledger, pretty to stdout",
			check: func(t *testing.T, cfg verifyConfig) {
				if cfg.profile != "maxscale-24.02" || cfg.ledger != "maxscale-24.02" || cfg.ledgerSet {
					t.Errorf("profile %q ledger %q set %v, want maxscale-24.02, maxscale-24.02, false", cfg.profile, cfg.ledger, cfg.ledgerSet)
				}
				if !slices.Equal(cfg.outputs, outputs{{format: "pretty"}}) {
					t.Errorf("outputs = %v, want pretty to stdout", cfg.outputs)
				}
				if cfg.user != "admin" || cfg.password != "mariadb" || cfg.sqlUser != "maxuser" || cfg.sqlPassword != "maxpwd" {
					t.Errorf("accounts %s/%s %s/%s, want MaxScale's defaults", cfg.user, cfg.password, cfg.sqlUser, cfg.sqlPassword)
				}
			},
		},
		{
			name: "documented profile has no ledger",
			args: []string{"--profile", "documented"},
			check: func(t *testing.T, cfg verifyConfig) {
				if cfg.ledger != "" {
					t.Errorf("ledger = %q, want none", cfg.ledger)
				}
			},
		},
		{
			name: "a URL target has no ledger by default",
			args: []string{"--api", "http://127.0.0.1:8989", "--sql", "127.0.0.1:4006"},
			check: func(t *testing.T, cfg verifyConfig) {
				if cfg.ledger != "" {
					t.Errorf("ledger = %q, want none", cfg.ledger)
				}
			},
		},
		{
			name: "explicit ledger against a URL",
			args: []string{"--api", "http://mx:8989/v1/", "--sql", "mx:4006", "--ledger", "maxscale-24.02"},
			check: func(t *testing.T, cfg verifyConfig) {
				if cfg.ledger != "maxscale-24.02" || !cfg.ledgerSet {
					t.Errorf("ledger = %q (set %v), want maxscale-24.02", cfg.ledger, cfg.ledgerSet)
				}
				if tgt := urlTarget(cfg); tgt.APIURL != "http://mx:8989" || tgt.SQLAddrs["RW-Split-Router"] != "mx:4006" {
					t.Errorf("target API %q SQL %v, want http://mx:8989 and RW-Split-Router at mx:4006", tgt.APIURL, tgt.SQLAddrs)
				}
			},
		},
		{
			name: "--ledger none switches the profile's ledger off",
			args: []string{"--ledger", "none"},
			check: func(t *testing.T, cfg verifyConfig) {
				if cfg.ledger != "" || !cfg.ledgerSet {
					t.Errorf("ledger = %q (set %v), want none", cfg.ledger, cfg.ledgerSet)
				}
			},
		},
		{
			name: "several formats, one to stdout",
			args: []string{"--format", "progress", "--format", "junit:out/r.xml", "--format", "html:r.html", "--format", "cucumber:c.json"},
			check: func(t *testing.T, cfg verifyConfig) {
				want := outputs{{"progress", ""}, {"junit", "out/r.xml"}, {"html", "r.html"}, {"cucumber", "c.json"}}
				if !slices.Equal(cfg.outputs, want) {
					t.Errorf("outputs = %v, want %v", cfg.outputs, want)
				}
			},
		},
		{
			name: "a file name may hold a colon",
			args: []string{"--format", "junit:C:/r.xml"},
			check: func(t *testing.T, cfg verifyConfig) {
				if cfg.outputs[0].path != "C:/r.xml" {
					t.Errorf("path = %q, want C:/r.xml", cfg.outputs[0].path)
				}
			},
		},
		{name: "unknown format", args: []string{"--format", "xml"}, wantErr: `unknown format "xml"`},
		{name: "bad format: empty file", args: []string{"--format", "junit:"}, wantErr: "no file name"},
		{name: "bad format: empty", args: []string{"--format", ""}, wantErr: `unknown format ""`},
		{name: "two formats without files", args: []string{"--format", "pretty", "--format", "junit"}, wantErr: "at most one format may go to stdout"},
		{name: "two reports to one file", args: []string{"--format", "junit:a", "--format", "html:a"}, wantErr: "two reports would write a"},
		{name: "unknown profile", args: []string{"--profile", "maxscale-2.5"}, wantErr: `unknown --profile "maxscale-2.5"`},
		{name: "api without sql", args: []string{"--api", "http://127.0.0.1:8989"}, wantErr: "--api needs --sql"},
		{name: "api not a URL", args: []string{"--api", "127.0.0.1:8989", "--sql", "127.0.0.1:4006"}, wantErr: "not an http(s) URL"},
		{name: "sql without api", args: []string{"--sql", "127.0.0.1:4006"}, wantErr: "need --api"},
		{name: "sql not host:port", args: []string{"--api", "http://h:1", "--sql", "h"}, wantErr: `--sql "h" is not HOST:PORT`},
		{name: "read-only user without password", args: []string{"--ro-user", "basic"}, wantErr: "go together"},
		{name: "unknown ledger", args: []string{"--ledger", "nosuch"}, wantErr: `unknown ledger "nosuch": want one of maxscale-`},
		{name: "unknown ledger of a target", args: []string{"--ledger", "a=nosuch"}, wantErr: `unknown ledger "nosuch": want one of maxscale-`},
		{name: "malformed tags", args: []string{"--tags", "@get &&"}, wantErr: `tag expression "@get &&" has an empty term`},
		{name: "zero concurrency", args: []string{"--concurrency", "0"}, wantErr: "--concurrency 0"},
		{name: "stray argument", args: []string{"features/"}, wantErr: `unexpected argument "features/"`},
		{name: "unknown flag", args: []string{"--container-image", "x"}, wantErr: "flag provided but not defined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			cfg, _, err := parseVerifyFlags(tc.args, &stderr)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("parse %q: %v", tc.args, err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("parse %q: error %v, want one containing %q", tc.args, err, tc.wantErr)
			}
			if tc.check != nil {
				tc.check(t, cfg)
			}
		})
	}
}

func TestVerifyUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if got := run(t.Context(), []string{"verify", "-h"}, &stdout, &stderr); got != 0 {
		t.Errorf("verify -h: exit %d, want 0", got)
	}
	if !strings.Contains(stderr.String(), "-strict-ledger") || !strings.Contains(stderr.String(), "Exit status") {
		t.Errorf("verify -h does not describe the flags and exit status:\n%s", stderr.String())
	}

	stderr.Reset()
	if got := run(t.Context(), []string{"verify", "--format", "pretty", "--format", "progress"}, &stdout, &stderr); got != verifyUsage {
		t.Errorf("two stdout formats: exit %d, want %d", got, verifyUsage)
	}
	if !strings.Contains(stderr.String(), "at most one format may go to stdout") || !strings.Contains(stderr.String(), "mxharness verify -h") {
		t.Errorf("two stdout formats: stderr %q lacks the reason or the hint", stderr.String())
	}
}

func TestParseVerifyFlagsHelp(t *testing.T) {
	_, _, err := parseVerifyFlags([]string{"-h"}, &bytes.Buffer{})
	if !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: error %v, want flag.ErrHelp", err)
	}
}

func TestCheckTarget(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/maxscale", func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "admin" || p != "mariadb" {
			w.Header().Set("WWW-Authenticate", `Basic realm="maxscale"`)
			http.Error(w, `{"errors": [ { "detail": "Access denied" } ] }`, http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"data":{"id":"maxscale"}}`)
	})
	api := httptest.NewServer(mux)
	t.Cleanup(api.Close)
	sql, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sql.Close() })
	// A port nobody listens on: listen, note the address, close.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := closed.Addr().String()
	closed.Close()

	tests := []struct {
		name                string
		api, user, sql      string
		wantErr, wantErrToo string
	}{
		{name: "reachable", api: api.URL, user: "admin", sql: sql.Addr().String()},
		{name: "wrong account", api: api.URL, user: "nobody", sql: sql.Addr().String(), wantErr: `refused user "nobody"`, wantErrToo: "--user and --password"},
		{name: "not a MaxScale", api: api.URL + "/other", user: "admin", sql: sql.Addr().String(), wantErr: "404 Not Found", wantErrToo: "is " + api.URL + "/other a MaxScale REST API"},
		{name: "API down", api: "http://" + deadAddr, user: "admin", sql: sql.Addr().String(), wantErr: "cannot reach the REST API at http://" + deadAddr, wantErrToo: "mxharness serve"},
		{name: "SQL down", api: api.URL, user: "admin", sql: deadAddr, wantErr: "cannot reach the SQL listener of RW-Split-Router at " + deadAddr, wantErrToo: "--sql"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := verifyConfig{connFlags: connFlags{apiURL: tc.api, sqlAddr: tc.sql, user: tc.user, password: "mariadb"}}
			err := checkTarget(t.Context(), urlTarget(cfg))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("checkTarget: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), tc.wantErrToo) {
				t.Fatalf("checkTarget: error %v, want one with %q and %q", err, tc.wantErr, tc.wantErrToo)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans several lines, want one", err)
			}
		})
	}
}

func TestVerdictLine(t *testing.T) {
	result := func(vs ...steps.Verdict) *steps.Result {
		r := &steps.Result{Target: "t"}
		for _, v := range vs {
			r.Scenarios = append(r.Scenarios, steps.ScenarioResult{Verdict: v})
		}
		return r
	}
	tests := []struct {
		name   string
		res    *steps.Result
		strict bool
		want   int
		line   string
	}{
		{"all conform", result(steps.Conforms, steps.KnownDeviation, steps.Skipped), false, verifyPass, "PASS\n"},
		{"a failure", result(steps.Conforms, steps.Fails, steps.ChangedDeviation), false, verifyFail, "FAIL: 1 of 3 scenarios fail"},
		{"changed deviation warns", result(steps.Conforms, steps.ChangedDeviation), false, verifyPass, "WARNING: 1 scenario shows a changed deviation"},
		{"changed deviation with --strict-ledger", result(steps.ChangedDeviation), true, verifyFail, "FAIL: 1 scenario shows a changed deviation from ledger maxscale-24.02 (--strict-ledger)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			got := verdictLine(&buf, tc.res, verifyConfig{ledger: "maxscale-24.02", strictLedger: tc.strict})
			if got != tc.want || !strings.Contains(buf.String(), tc.line) {
				t.Errorf("verdictLine = %d %q, want %d and %q", got, buf.String(), tc.want, tc.line)
			}
		})
	}
}

func TestWriteReportUnwritable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-dir", "r.xml")
	err := writeReport(output{format: "junit", path: path}, &steps.Result{}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "write the junit report") {
		t.Errorf("writeReport to %s: %v, want an error naming the report", path, err)
	}
}

// TestVerifyEndToEnd runs the real suite (a tagged subset, for speed) through
// the command line against the in-process simulator, once embedded and once
// as a URL target, and checks the exit status and the reports.
func TestVerifyEndToEnd(t *testing.T) {
	const tags = "@get"
	sim := startSimulator(t)
	tests := []struct {
		name string
		args []string
	}{
		{"embedded", nil},
		{"embedded documented", []string{"--profile", "documented"}},
		{"URL", []string{"--api", sim.APIURL, "--sql", sim.SQLAddrs["RW-Split-Router"], "--ledger", "maxscale-24.02"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			junitPath, htmlPath := filepath.Join(dir, "r.xml"), filepath.Join(dir, "r.html")
			args := append([]string{"verify", "--tags", tags, "--progress", "--format", "progress",
				"--format", "junit:" + junitPath, "--format", "html:" + htmlPath}, tc.args...)
			var stdout, stderr bytes.Buffer
			status := run(t.Context(), args, &stdout, &stderr)
			if status != verifyPass {
				t.Fatalf("%v: exit %d, want 0\nstdout:\n%s\nstderr:\n%s", args, status, stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String(), "\nPASS") {
				t.Errorf("stdout does not end with the PASS line:\n%s", stdout.String())
			}
			suites := readJUnit(t, junitPath)
			if suites.Tests == 0 || suites.Failures != 0 || len(suites.Suites) == 0 {
				t.Errorf("JUnit: %d tests, %d failures in %d suites; want some tests, no failure", suites.Tests, suites.Failures, len(suites.Suites))
			}
			// --progress on a stderr that is no terminal ends with a line
			// for the whole run.
			want := fmt.Sprintf("verify: %d/%d scenarios, ", suites.Tests, suites.Tests)
			if lines := strings.Split(strings.TrimSpace(stderr.String()), "\n"); !strings.HasPrefix(lines[len(lines)-1], want) {
				t.Errorf("last progress line %q, want %q...", lines[len(lines)-1], want)
			}
			page, err := os.ReadFile(htmlPath)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range suites.Suites {
				for _, c := range s.Testcases {
					if !bytes.Contains(page, []byte(html.EscapeString(strings.Split(c.Name, " (line ")[0]))) {
						t.Errorf("HTML report lacks scenario %q", c.Name)
					}
				}
			}
		})
	}
}

func TestVerifyEndToEndFails(t *testing.T) {
	// The observed profile judged with no ledger: its deviations are failures.
	dir := t.TempDir()
	junitPath := filepath.Join(dir, "r.xml")
	var stdout, stderr bytes.Buffer
	status := run(t.Context(), []string{"verify", "--tags", "@kill", "--ledger", "none", "--format", "junit:" + junitPath}, &stdout, &stderr)
	if status != verifyFail {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", status, verifyFail, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "Failing scenarios:") || !strings.Contains(stdout.String(), "FAIL: ") {
		t.Errorf("summary does not list the failing scenarios:\n%s", stdout.String())
	}
	if suites := readJUnit(t, junitPath); suites.Failures == 0 {
		t.Errorf("JUnit report has no failure, want the undocumented 200s of the writes")
	}
}

// startSimulator starts the in-process simulator (profile maxscale-24.02)
// for the test.
func startSimulator(t *testing.T) steps.Target {
	t.Helper()
	sim, stop, err := target.InProcess(t.Context(), "maxscale-24.02")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return sim
}

func readJUnit(t *testing.T, path string) junit.Testsuites {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var suites junit.Testsuites
	if err := xml.Unmarshal(data, &suites); err != nil {
		t.Fatalf("JUnit report %s does not parse: %v", path, err)
	}
	return suites
}

// assertRefused runs the command line args and fails unless it ends with
// status 2 before running anything: nothing on stdout, and on stderr one
// line that says each of want.
func assertRefused(t *testing.T, args []string, want ...string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), args, &stdout, &stderr); code != verifyUsage {
		t.Errorf("%q: status %d, want %d", args, code, verifyUsage)
	}
	if n := strings.Count(stderr.String(), "\n"); n != 1 {
		t.Errorf("%q: stderr has %d lines, want one:\n%s", args, n, stderr.String())
	}
	for _, w := range want {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("%q: stderr %q does not say %q", args, stderr.String(), w)
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("%q: stdout %q, want nothing (no run)", args, stdout.String())
	}
}

// fakeMode is an extra verify mode, as verify_container.go adds one.
type fakeMode struct {
	on  bool
	got *verifyConfig
}

func (m *fakeMode) chosen() bool { return m.on }

func (m *fakeMode) run(_ context.Context, cfg verifyConfig, _, _ io.Writer) int {
	*m.got = cfg
	return 7
}

func TestVerifyModes(t *testing.T) {
	saved := verifyModes
	t.Cleanup(func() { verifyModes = saved })
	var got verifyConfig
	verifyModes = append(slices.Clone(saved), func(fs *flag.FlagSet) verifyMode {
		m := &fakeMode{got: &got}
		fs.BoolVar(&m.on, "fake", false, "a fake target")
		return m
	})

	var stdout, stderr bytes.Buffer
	if status := run(t.Context(), []string{"verify", "--fake", "--tags", "@get"}, &stdout, &stderr); status != 7 {
		t.Fatalf("verify --fake: exit %d, want the mode's 7; stderr %q", status, stderr.String())
	}
	if got.tags != "@get" || got.ledgerSet {
		t.Errorf("the mode got tags %q, ledgerSet %v; want the parsed @get and no --ledger", got.tags, got.ledgerSet)
	}
	status := run(t.Context(), []string{"verify", "--fake", "--api", "http://127.0.0.1:1", "--sql", "127.0.0.1:2"}, &stdout, &stderr)
	if status != verifyUsage || !strings.Contains(stderr.String(), "pick one") {
		t.Errorf("verify --fake --api: exit %d, stderr %q; want %d and a refusal", status, stderr.String(), verifyUsage)
	}
}

func TestStartProgress(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if progress, stop := startProgress(t.Context(), verifyConfig{}, false, &stdout, &stderr); progress != nil {
		stop()
		t.Error("stderr is no terminal and --progress is off: got a progress function, want no progress line")
	}
	progress, stop := startProgress(t.Context(), verifyConfig{progress: true}, true, &stdout, &stderr)
	if progress == nil {
		stop()
		t.Fatal("--progress: no progress function")
	}
	progress(0, 3)
	progress(2, 3)
	stop()
	if stdout.Len() != 0 {
		t.Errorf("progress wrote to stdout: %q", stdout.String())
	}
}

// A malformed tag expression is one line naming it (godog's parser would
// panic), and one that selects nothing is an error unless --allow-empty:
// a mistyped CI filter must not turn the gate off with a PASS.
func TestVerifyRefusesBadTags(t *testing.T) {
	for _, expr := range []string{"@get &&", "&&", "@a,", ",", "@get && && @list", "@get and not @slow", "(@get)"} {
		t.Run(expr, func(t *testing.T) {
			assertRefused(t, []string{"verify", "--tags", expr}, "--tags", fmt.Sprintf("%q", expr))
		})
	}
	t.Run("selects nothing", func(t *testing.T) {
		assertRefused(t, []string{"verify", "--tags", "@nosuchtag"}, `"@nosuchtag" selects no scenario`, "no scenario is tagged @nosuchtag", "--allow-empty")
	})
	t.Run("misspelt exclusion", func(t *testing.T) {
		var stderr bytes.Buffer
		if _, _, err := parseVerifyFlags([]string{"--tags", "@get && ~@slwo"}, &stderr); err != nil {
			t.Fatal(err)
		}
		if want := `mxharness verify: warning: no scenario is tagged @slwo (--tags "@get && ~@slwo"); check the spelling` + "\n"; stderr.String() != want {
			t.Errorf("stderr %q, want %q", stderr.String(), want)
		}
	})
	t.Run("selects nothing, allowed", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), []string{"verify", "--tags", "@nosuchtag", "--allow-empty"}, &stdout, &stderr); code != verifyPass {
			t.Errorf("--allow-empty: exit %d, want 0\n%s%s", code, stdout.String(), stderr.String())
		}
		if !strings.Contains(stdout.String(), "0 scenarios against") {
			t.Errorf("--allow-empty: the summary does not say that no scenario ran:\n%s", stdout.String())
		}
	})
}

// Every mistake in the flags is one line on stderr, with no usage dump,
// and exit 2 before anything runs; an unknown value lists the valid ones.
// A report that cannot be written is found before the suite runs.
func TestVerifyRefusesBadFlagsInOneLine(t *testing.T) {
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown format", []string{"--format", "nonsense"}, []string{`unknown format "nonsense"`, "pretty, progress, junit, html, cucumber"}},
		{"unknown ledger", []string{"--ledger", "nosuch"}, []string{`unknown ledger "nosuch"`, "maxscale-24.02", "none"}},
		{"unknown profile", []string{"--profile", "nosuch"}, []string{`unknown --profile "nosuch"`, "documented", "maxscale-24.02"}},
		{"unknown flag", []string{"--nosuch"}, []string{"-nosuch"}},
		{"report in no directory", []string{"--tags", "@get", "--format", "junit:" + filepath.Join(notADir, "x.xml")}, []string{"junit:" + filepath.Join(notADir, "x.xml"), "cannot be written", "not a directory"}},
		{"html report in no directory", []string{"--tags", "@get", "--format", "progress", "--format", "html:" + filepath.Join(notADir, "r.html")}, []string{"html:", "cannot be written"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertRefused(t, append([]string{"verify"}, tt.args...), tt.want...)
		})
	}
}

// Against a target without a read-only account the @readonly scenarios
// are skipped, and every format says so with the reason: pretty and
// progress (and the summary after them) on stdout, junit, cucumber and
// html in their files. No godog summary ("9 scenarios (9 passed)")
// contradicts the verdicts.
func TestVerifySkippedReasonInEveryFormat(t *testing.T) {
	sim := startSimulator(t)
	const reason = "the target has no read-only account"
	for _, stdoutFormat := range []string{"pretty", "progress"} {
		t.Run(stdoutFormat, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{"junit": "r.xml", "cucumber": "r.json", "html": "r.html"}
			args := []string{"verify", "--api", sim.APIURL, "--sql", sim.SQLAddrs["RW-Split-Router"], "--ledger", "maxscale-24.02",
				"--tags", "@readonly && ~@jwt", "--concurrency", "4", "--format", stdoutFormat}
			for f, name := range files {
				args = append(args, "--format", f+":"+filepath.Join(dir, name))
			}
			var stdout, stderr bytes.Buffer
			if code := run(t.Context(), args, &stdout, &stderr); code != verifyPass {
				t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
			}
			out := stdout.String()
			if regexp.MustCompile(`\d+ scenarios \(\d+ `).MatchString(out) {
				t.Errorf("stdout has godog's own scenario count:\n%s", out)
			}
			skipped := regexp.MustCompile(`(?m)^  skipped +(\d+)$`).FindStringSubmatch(out)
			listed := regexp.MustCompile(`(?m)^  ` + reason + `: (\d+) scenarios$`).FindStringSubmatch(out)
			if skipped == nil || listed == nil || skipped[1] != listed[1] || skipped[1] == "0" {
				t.Errorf("summary: skipped count %v and the scenarios listed under %q %v do not agree:\n%s", skipped, reason, listed, out)
			}
			if stdoutFormat == "pretty" && strings.Count(out, "    skipped: "+reason+"\n") != atoi(t, skipped[1]) {
				t.Errorf("pretty: not every skipped scenario says %q:\n%s", reason, out)
			}
			for f, name := range files {
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(b), reason) {
					t.Errorf("%s report does not say %q", f, reason)
				}
			}
		})
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}
