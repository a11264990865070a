package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mxharness/mxharness/simulator"
	"github.com/mxharness/mxharness/target"
)

// The shell examples of README.md and docs/*.md that a reader can paste
// are fenced as ```sh runnable. TestDocsExamples runs each of their
// commands, in order, against a simulator of its own (as `mxharness serve`
// would run it, on ephemeral ports in place of 8989, 4006 and 4008), in
// an empty folder, and fails when one exits with another status than the
// one its line states (`# exit 1`; 0 by default). So the newcomer's path
// is tested, and an example that goes stale fails here.
//
// In a runnable block:
//   - mxharness and go run ./cmd/mxharness run this package's run();
//     verify without --tags gets --tags @get, to keep the test short;
//   - mxharness serve starts on free ports with the example's other flags
//     and stops; the test's own simulator stands in for it afterwards;
//   - curl -u USER:PASS URL is a GET that must answer 2xx;
//   - mariadb ... runs the real client when it is installed;
//   - mkdir -p DIR makes DIR; make is what CI runs itself (logged).
//
// Any other command fails the test: a block marked runnable must be.
func TestDocsExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files = append([]string{filepath.Join("..", "..", "README.md")}, files...)
	var blocks []docBlock
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, runnableBlocks(filepath.Base(f), string(b))...)
	}
	if len(blocks) < 3 {
		t.Fatalf("%d runnable blocks in README.md and docs/, want the README's and the docs' examples", len(blocks))
	}
	// As `mxharness serve` runs it: profile maxscale-24.02, control API on.
	sim, stop, err := target.InProcess(t.Context(), "maxscale-24.02", target.WithSimulatorOptions(simulator.WithControlAPI()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	addrs := strings.NewReplacer(
		"http://127.0.0.1:8989", sim.APIURL, "127.0.0.1:8989", strings.TrimPrefix(sim.APIURL, "http://"), "localhost:8989", strings.TrimPrefix(sim.APIURL, "http://"),
		"127.0.0.1:4006", sim.SQLAddrs["RW-Split-Router"], "127.0.0.1:4008", sim.SQLAddrs["Read-Connection-Router"],
		"-P4006", "-P"+port(sim.SQLAddrs["RW-Split-Router"]), "-P4008", "-P"+port(sim.SQLAddrs["Read-Connection-Router"]))
	// An empty folder, with the repository's spec/ and features/ in reach
	// of examples that name their files.
	dir := t.TempDir()
	for _, sub := range []string{"spec", "features"} {
		abs, err := filepath.Abs(filepath.Join("..", "..", sub))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(abs, filepath.Join(dir, sub)); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	aliases := map[string][]string{}
	for _, b := range blocks {
		for _, cmd := range b.commands {
			text := addrs.Replace(cmd.text)
			// name() { curl -s ... "$@"; } defines name for the lines after it.
			if m := shellFunction.FindStringSubmatch(text); m != nil {
				aliases[m[1]] = shellWords(t, m[2])
				continue
			}
			t.Run(fmt.Sprintf("%s:%d", b.file, cmd.line), func(t *testing.T) {
				args := shellWords(t, text)
				if a, ok := aliases[args[0]]; ok {
					args = append(slices.Clone(a), args[1:]...)
				}
				runDocCommand(t, args, cmd.status)
			})
		}
	}
	// The examples leave what they write in out/ (ignored by git), not
	// beside the user's sources.
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !slices.Contains([]string{"out", "spec", "features"}, e.Name()) {
			t.Errorf("an example wrote %s in the current folder; write reports under out/", e.Name())
		}
	}
}

var shellFunction = regexp.MustCompile(`^(\w+)\(\) \{ (.*) "\$@"; \}$`)

// docBlock is one runnable block of a markdown file.
type docBlock struct {
	file     string
	commands []docCommand
}

// docCommand is one command of a block (continuation lines joined), the
// line it starts on and the exit status its comment states.
type docCommand struct {
	text   string
	line   int
	status int
}

var exitComment = regexp.MustCompile(`#\s*exit (\d+)`)

// runnableBlocks finds the ```sh runnable blocks of a markdown text.
func runnableBlocks(file, text string) []docBlock {
	var blocks []docBlock
	var cur *docBlock
	var pending string
	var start int
	for i, line := range strings.Split(text, "\n") {
		switch {
		case cur == nil && strings.TrimSpace(line) == "```sh runnable":
			cur = &docBlock{file: file}
		case cur != nil && strings.TrimSpace(line) == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			if pending == "" {
				start = i + 1
			}
			if cont, ok := strings.CutSuffix(strings.TrimRight(line, " "), `\`); ok {
				pending += cont + " "
				continue
			}
			if code, _, _ := strings.Cut(pending+line, " #"); strings.Count(code, "'")%2 == 1 {
				pending += line + "\n" // a quoted argument goes on (a JSON body)
				continue
			}
			full := pending + line
			pending = ""
			status := 0
			if m := exitComment.FindStringSubmatch(full); m != nil {
				status, _ = strconv.Atoi(m[1])
			}
			cmd, _, _ := strings.Cut(full, " #")
			if strings.TrimSpace(cmd) == "" || strings.HasPrefix(strings.TrimSpace(cmd), "#") {
				continue
			}
			for _, part := range strings.Split(cmd, " && ") {
				cur.commands = append(cur.commands, docCommand{text: strings.TrimSpace(part), line: start, status: status})
			}
		}
	}
	return blocks
}

func runDocCommand(t *testing.T, args []string, status int) {
	text := strings.Join(args, " ")
	switch {
	case args[0] == "make":
		// Not a skip: nothing is missing, CI runs make itself (.ci/run).
		t.Logf("%s: CI runs it (.ci/run)", text)
		return
	case args[0] == "mkdir":
		if err := os.MkdirAll(args[len(args)-1], 0o755); err != nil {
			t.Fatal(err)
		}
		return
	case args[0] == "curl":
		docCurl(t, args)
		return
	case args[0] == "mariadb":
		bin, err := exec.LookPath("mariadb")
		if err != nil {
			t.Skip("mariadb client not installed (apt-get install -y mariadb-client); CI installs it")
		}
		cmd := exec.CommandContext(t.Context(), bin, append(args[1:], "-e", "SELECT 1")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", text, err, out)
		}
		return
	case args[0] == "go" && len(args) > 2 && args[1] == "run" && args[2] == "./cmd/mxharness":
		args = args[2:]
	case args[0] != "mxharness":
		t.Fatalf("%q is not a command a runnable block may hold (mxharness, go run ./cmd/mxharness, curl, mariadb, mkdir, make)", text)
	}
	args = args[1:]
	if args[0] == "serve" {
		docServe(t, args)
		return
	}
	if args[0] == "verify" && !slices.ContainsFunc(args, func(a string) bool { return a == "--tags" || strings.HasPrefix(a, "--tags=") }) {
		args = append(args, "--tags", "@get")
	}
	var stdout, stderr bytes.Buffer
	if got := run(t.Context(), args, &stdout, &stderr); got != status {
		t.Fatalf("mxharness %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), got, status, stdout.String(), stderr.String())
	}
}

// docServe starts serve with the example's flags on free ports (its own
// addresses left out), waits until it lists its REST API and both
// listeners, and stops it: the example's flags and seed work. The later
// commands of the block talk to the test's own simulator, which stands in
// for the one the example leaves running.
func docServe(t *testing.T, args []string) {
	var kept []string
	for i := 0; i < len(args); i++ {
		if args[i] == "--api-addr" || args[i] == "--listen" {
			i++
			continue
		}
		kept = append(kept, args[i])
	}
	kept = append(kept, "--api-addr", "127.0.0.1:0", "--listen", "RW-Split-Router=127.0.0.1:0",
		"--listen", "Read-Connection-Router=127.0.0.1:0", "--log-level", "warn")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr syncBuffer
	exit := make(chan int, 1)
	go func() { exit <- run(ctx, kept, &stdout, &stderr) }()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(stdout.String(), "REST API") || strings.Count(stdout.String(), "\nSQL ") < 2; {
		if time.Now().After(deadline) {
			t.Fatalf("mxharness %s: no REST API and listeners within 10 s:\n%s\n%s", strings.Join(kept, " "), stdout.String(), stderr.String())
		}
		select {
		case code := <-exit:
			t.Fatalf("mxharness %s: exit %d\n%s", strings.Join(kept, " "), code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	if code := <-exit; code != 0 {
		t.Fatalf("mxharness %s: exit %d after Ctrl-C\n%s", strings.Join(kept, " "), code, stderr.String())
	}
}

// docCurl runs curl [-s] [-u USER:PASS] [-H HEADER] [-X METHOD] [-d BODY]
// URL, which must answer 2xx (stricter than curl, which exits 0 for any
// answer: an example that gets a 4xx is a stale example).
func docCurl(t *testing.T, args []string) {
	method, body, url := http.MethodGet, "", ""
	header := http.Header{}
	var user, pass string
	for i := 1; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-s":
		case a == "-u" || a == "-H" || a == "-X" || a == "-d":
			if i+1 == len(args) {
				t.Fatalf("curl: %s without a value", a)
			}
			i++
			switch v := args[i]; a {
			case "-u":
				user, pass, _ = strings.Cut(v, ":")
			case "-H":
				k, val, _ := strings.Cut(v, ":")
				header.Set(k, strings.TrimSpace(val))
			case "-X":
				method = v
			case "-d":
				body = v
				if method == http.MethodGet {
					method = http.MethodPost
				}
			}
		case strings.HasPrefix(a, "-"):
			t.Fatalf("curl option %s: the docs test knows -s, -u, -H, -X and -d", a)
		default:
			url = a
		}
	}
	if !strings.HasPrefix(url, "http") {
		url = "http://" + url
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("curl %s %s: %s", method, url, resp.Status)
	}
}

// shellWords splits a command line as sh does for the quoting the docs use:
// words, '...' and "..." (no expansion; ${...} and $(...) are not allowed).
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	if strings.ContainsAny(line, "$|;<>`") {
		t.Fatalf("%q: a runnable example is one plain command (no $, pipes or redirection)", line)
	}
	var words []string
	var cur strings.Builder
	inWord := false
	quote := rune(0)
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	if quote != 0 || len(words) == 0 {
		t.Fatalf("%q: unbalanced quotes or no command", line)
	}
	return words
}

// port is the port of a host:port.
func port(addr string) string {
	return addr[strings.LastIndex(addr, ":")+1:]
}
