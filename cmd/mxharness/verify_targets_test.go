package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/steps"
	"github.com/mxharness/mxharness/target"
)

// startProfile starts an in-process simulator in the given profile, as
// `mxharness serve --profile` would run elsewhere, on ephemeral ports.
func startProfile(t *testing.T, profile string) steps.Target {
	t.Helper()
	sim, stop, err := target.InProcess(t.Context(), profile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return sim
}

// targetArg is sim as a --target NAME=API,SQL,SQL_RCONN value.
func targetArg(name string, sim steps.Target) string {
	return name + "=" + sim.APIURL + "," + sim.SQLAddrs["RW-Split-Router"] + "," + sim.SQLAddrs["Read-Connection-Router"]
}

// Two servers, one that behaves as documented and one as MaxScale 24.02.4,
// each judged with its own ledger: the matrix shows each kill scenario as
// conforming on the first and a known deviation on the second, marks the
// row, names each column's ledger, lists the deviations that appeared, and
// is the same on stdout and in matrix.md, with a JUnit file per target.
func TestVerifyTargets(t *testing.T) {
	doc, mx := startProfile(t, "documented"), startProfile(t, "maxscale-24.02")
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"verify", "--tags", "@kill && @write && ~@slow", "--matrix-dir", dir,
		"--target", targetArg("documented", doc), "--target", targetArg("mx2402", mx),
		"--ledger", "mx2402=maxscale-24.02"}, &stdout, &stderr)
	if code != verifyPass {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"| Δ | Scenario | documented (ledger none) | mx2402 (ledger maxscale-24.02) |",
		"- documented → mx2402: appeared: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("matrix lacks %q:\n%s", want, out)
		}
	}
	row := regexp.MustCompile(`(?m)^\| Δ \| Kill a session: [^|]+ \| conforms \| known deviation \([^)]*write-status-200[^)]*\) \|$`)
	if !row.MatchString(out) {
		t.Errorf("matrix: want a kill scenario marked, conforming then a known deviation write-status-200:\n%s", out)
	}
	if !regexp.MustCompile(`appeared: [^;]*write-status-200[^;]*; disappeared: none`).MatchString(out) {
		t.Errorf("matrix: want write-status-200 among the deviations that appeared:\n%s", out)
	}
	file, err := os.ReadFile(filepath.Join(dir, matrixFile))
	if err != nil || string(file) != out {
		t.Errorf("matrix.md (%v) differs from stdout", err)
	}
	for _, name := range []string{"documented", "mx2402"} {
		if suites := readJUnit(t, filepath.Join(dir, name+".junit.xml")); suites.Tests == 0 || suites.Failures != 0 {
			t.Errorf("%s.junit.xml: %d tests, %d failures; want some, none failing", name, suites.Tests, suites.Failures)
		}
	}
}

// A --targets file gives each target its ledger and accounts: the target
// with a read-only account runs the @readonly scenarios, the other skips
// them, and a --target flag is added after the file's targets.
func TestVerifyTargetsFile(t *testing.T) {
	doc, mx := startProfile(t, "documented"), startProfile(t, "maxscale-24.02")
	dir := t.TempDir()
	file := filepath.Join(dir, "targets.yaml")
	yaml := "targets:\n" +
		"  - name: mx2402\n    api: " + mx.APIURL + "\n    sql: " + mx.SQLAddrs["RW-Split-Router"] + "\n" +
		"    ledger: maxscale-24.02\n    ro-user: " + mx.ReadOnlyUser + "\n    ro-password: " + mx.ReadOnlyPassword + "\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"verify", "--tags", "@readonly && ~@jwt && ~@exclusive", "--matrix-dir", dir,
		"--targets", file, "--target", targetArg("documented", doc)}, &stdout, &stderr)
	if code != verifyPass {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "| Δ | Scenario | mx2402 (ledger maxscale-24.02) | documented (ledger none) |") {
		t.Errorf("matrix: want mx2402 (from the file, its ledger) then documented (the flag, none):\n%s", out)
	}
	total := regexp.MustCompile(`(?m)^\| \| \*\*total\*\* \| ([^|]+) \| ([^|]+) \|$`).FindStringSubmatch(out)
	if total == nil || strings.Contains(total[1], "skipped") || !strings.Contains(total[2], "skipped") || strings.Contains(total[2], "conforms") {
		t.Errorf("totals: want mx2402 (read-only account) to run every scenario and documented (none) to skip them:\n%s", out)
	}
}

// Every mistake in the targets is one line on stderr and status 2, before
// any scenario runs.
func TestVerifyTargetsRefuses(t *testing.T) {
	sim := startSimulator(t)
	good := targetArg("a", sim)
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadAddr := dead.Addr().String()
	dead.Close()
	dir := t.TempDir()
	writeFile := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"no addresses", []string{"--target", "a=http://127.0.0.1:1"}, []string{"NAME=API,SQL[,SQL_RCONN]"}},
		{"no name", []string{"--target", "=http://127.0.0.1:1,127.0.0.1:2"}, []string{"NAME=API,SQL[,SQL_RCONN]"}},
		{"not a URL", []string{"--target", "a=127.0.0.1:1,127.0.0.1:2"}, []string{`target "a"`, "not an http(s) URL"}},
		{"SQL not host:port", []string{"--target", "a=http://h:1,h"}, []string{`target "a"`, `"h" is not HOST:PORT`}},
		{"two of one name", []string{"--target", good, "--target", good}, []string{`two targets are called "a"`}},
		{"ledger for no target", []string{"--target", good, "--ledger", "b=maxscale-24.02"}, []string{`no target is called "b"`, "the targets: a"}},
		{"unknown ledger", []string{"--target", good, "--ledger", "a=maxscale-9"}, []string{`unknown ledger "maxscale-9"`, "maxscale-24.02"}},
		{"per-target ledger, one target", []string{"--ledger", "a=maxscale-24.02"}, []string{"--ledger NAME=VERSION", "--ledger VERSION"}},
		{"with --api", []string{"--target", good, "--api", sim.APIURL, "--sql", sim.SQLAddrs["RW-Split-Router"]}, []string{"pick one"}},
		{"unreachable", []string{"--target", good, "--target", "b=http://" + deadAddr + ",127.0.0.1:1"}, []string{"target b: cannot reach the REST API at http://" + deadAddr}},
		{"file missing", []string{"--targets", filepath.Join(dir, "nosuch.yaml")}, []string{"--targets", "no such file"}},
		{"file: unknown field", []string{"--targets", writeFile("f.yaml", "targets:\n  - name: a\n    url: http://h:1\n")}, []string{"f.yaml", `unknown field "url"`}},
		{"file: not YAML", []string{"--targets", writeFile("g.yaml", "targets: [\n")}, []string{"g.yaml", "line"}},
		{"file: empty", []string{"--targets", writeFile("h.yaml", "targets: []\n")}, []string{"h.yaml", "no targets"}},
		{"file: unknown ledger", []string{"--targets", writeFile("i.yaml", "targets:\n  - {name: a, api: 'http://h:1', sql: 'h:2', ledger: nosuch}\n")}, []string{`target "a"`, `unknown ledger "nosuch"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertRefused(t, append([]string{"verify", "--matrix-dir", t.TempDir()}, tt.args...), tt.want...)
		})
	}
}
