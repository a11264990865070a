// Command testsummary reads `go test -json` on stdin and writes what a
// reader of `go test` needs: each package's closing ok/FAIL line (CI's log
// reader looks for them), the whole output of each failing test, each
// skipped test with what it needed and how to get it, and a last line
// that counts the skips by what was missing:
//
//	17 tests skipped: docker ×12, image mariadb:11.4 ×2, mariadb client ×1, node ×2
//
// It exits 1 when a test or a package failed. With -allow LIST (CI), a
// skip whose reason contains none of the comma-separated LIST fails the
// run too: CI provides Docker, the clients and the images it can build, so
// a skip for one of those means that CI's set-up broke.
//
// The Makefile's test target runs it: go test -json ... | go run ./internal/testsummary.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
)

func main() {
	allow := flag.String("allow", "", "comma-separated substrings of the skip reasons CI accepts; any other skip fails the run (empty: every skip is accepted)")
	flag.Parse()
	os.Exit(summarize(os.Stdin, os.Stdout, *allow))
}

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// skip is one skipped test and what it needed.
type skip struct {
	pkg, test, reason, kind string
}

func summarize(in io.Reader, out io.Writer, allow string) int {
	w := bufio.NewWriter(out)
	defer w.Flush()
	outputs := map[string][]string{} // test output, by package and test
	var skips []skip
	failed := false
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Action == "" {
			// Not an event (go vet or the build writes plain text): as is.
			fmt.Fprintln(w, sc.Text())
			continue
		}
		key := e.Package + "\x00" + e.Test
		switch {
		case e.Action == "build-output":
			fmt.Fprint(w, e.Output)
		case e.Action == "output" && e.Test == "":
			if e.Output != "PASS\n" {
				fmt.Fprint(w, e.Output) // ok/FAIL lines, build failures, panics outside a test
			}
		case e.Action == "output":
			outputs[key] = append(outputs[key], e.Output)
		case e.Action == "fail":
			failed = true
			if e.Test != "" {
				fmt.Fprint(w, strings.Join(outputs[key], ""))
			}
			delete(outputs, key)
		case e.Action == "skip" && e.Test != "":
			reason := skipReason(outputs[key])
			skips = append(skips, skip{pkg: e.Package, test: e.Test, reason: reason, kind: kindOf(reason)})
			delete(outputs, key)
		case e.Action == "pass":
			delete(outputs, key)
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(w, "testsummary: read go test -json: %v\n", err)
		return 1
	}
	status := 0
	if failed {
		status = 1
	}
	if len(skips) == 0 {
		return status
	}
	var allowed []string
	for _, a := range strings.Split(allow, ",") {
		if a = strings.TrimSpace(a); a != "" {
			allowed = append(allowed, a)
		}
	}
	fmt.Fprintln(w)
	counts := map[string]int{}
	var kinds []string
	for _, s := range skips {
		mark := "SKIP"
		if len(allowed) > 0 && !slices.ContainsFunc(allowed, func(a string) bool { return strings.Contains(s.reason, a) }) {
			mark, status = "SKIP NOT ALLOWED IN CI", 1
		}
		fmt.Fprintf(w, "%s %s %s: %s\n", mark, s.pkg, s.test, s.reason)
		if how := howTo[s.kind]; how != "" && !strings.Contains(s.reason, how) {
			fmt.Fprintf(w, "    %s\n", how)
		}
		if counts[s.kind] == 0 {
			kinds = append(kinds, s.kind)
		}
		counts[s.kind]++
	}
	slices.Sort(kinds)
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s ×%d", k, counts[k])
	}
	noun := "tests"
	if len(skips) == 1 {
		noun = "test"
	}
	fmt.Fprintf(w, "%d %s skipped: %s\n", len(skips), noun, strings.Join(parts, ", "))
	if status != 0 && !failed {
		fmt.Fprintln(w, "FAIL: CI provides what these tests need (.ci/run); a skip outside the allow-list means its set-up broke")
	}
	return status
}

// fileLine starts a line a test writes with t.Log or t.Skip.
var fileLine = regexp.MustCompile(`^\s+\S+\.go:\d+: `)

// skipReason is what a skipped test said: the last message with a
// file:line prefix (t.Skip's), with its continuation lines, and none of
// go test's own lines or what libraries logged beside it (testcontainers
// logs its connection to Docker). Without such a message, every line.
func skipReason(lines []string) string {
	var msg, all []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case t == "", strings.HasPrefix(t, "=== "), strings.HasPrefix(t, "--- "):
			continue
		case fileLine.MatchString(l):
			msg = []string{strings.TrimSpace(fileLine.ReplaceAllString(l, ""))}
		case msg != nil && strings.HasPrefix(l, "        "):
			msg = append(msg, t) // a continuation line of the message
		default:
			msg = nil
		}
		all = append(all, t)
	}
	switch {
	case msg != nil:
		return strings.Join(msg, " ")
	case len(all) > 0:
		return strings.Join(all, " ")
	}
	return "no reason given"
}

// kinds name what a skipped test needed, from its reason.
var kinds = []struct {
	kind string
	re   *regexp.Regexp
}{
	{"image", regexp.MustCompile(`image not present locally: (\S+)`)},
	{"docker", regexp.MustCompile(`(?i)docker is not running|docker daemon|docker desktop`)},
	{"mariadb client", regexp.MustCompile(`(?i)mariadb client|mariadb-client`)},
	{"node", regexp.MustCompile(`(?i)\bnode\b|MXHARNESS_NODE_PATH`)},
	{"needs", regexp.MustCompile(`^needs ([^:(]+)`)},
}

// howTo says how to get what a kind of skip needed, where its reason may
// not (testcontainers' own message does not).
var howTo = map[string]string{
	"docker": "start a Docker daemon (CI: dockerd --bridge=none --iptables=false --ip6tables=false, see .ci/run)",
}

func kindOf(reason string) string {
	for _, k := range kinds {
		m := k.re.FindStringSubmatch(reason)
		switch {
		case m == nil:
		case k.kind == "image" || k.kind == "needs":
			return strings.TrimSpace(strings.TrimPrefix(k.kind+" "+m[1], "needs "))
		default:
			return k.kind
		}
	}
	return "other"
}
