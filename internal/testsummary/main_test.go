package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// stream builds a go test -json stream from (action, package, test, output) rows.
func stream(t *testing.T, rows ...[4]string) string {
	t.Helper()
	var b strings.Builder
	for _, r := range rows {
		line, err := json.Marshal(event{Action: r[0], Package: r[1], Test: r[2], Output: r[3]})
		if err != nil {
			t.Fatal(err)
		}
		b.Write(append(line, '\n'))
	}
	return b.String()
}

func TestSummarize(t *testing.T) {
	in := stream(t,
		[4]string{"run", "p/a", "TestOK", ""},
		[4]string{"output", "p/a", "TestOK", "=== RUN   TestOK\n"},
		[4]string{"output", "p/a", "TestOK", "    a_test.go:5: a log line of a passing test\n"},
		[4]string{"pass", "p/a", "TestOK", ""},
		[4]string{"output", "p/a", "TestDocker", "=== RUN   TestDocker\n"},
		[4]string{"output", "p/a", "TestDocker", "    testing.go:36: Docker is not running. Testcontainers can't perform is work without it: no socket\n"},
		[4]string{"output", "p/a", "TestDocker", "--- SKIP: TestDocker (0.00s)\n"},
		[4]string{"skip", "p/a", "TestDocker", ""},
		[4]string{"output", "p/a", "TestImage", "2026/12/03 15:07:37 github.com/testcontainers/testcontainers-go - Connected to docker\n"},
		[4]string{"output", "p/a", "TestImage", "    c_test.go:9: image not present locally: mariadb:11.4 (get it with: docker pull mariadb:11.4)\n"},
		[4]string{"skip", "p/a", "TestImage", ""},
		[4]string{"output", "p/a", "TestCLI", "    sql_test.go:188: mariadb client not installed (apt-get install -y mariadb-client); CI installs it\n"},
		[4]string{"skip", "p/a", "TestCLI", ""},
		[4]string{"output", "p/a", "", "PASS\n"},
		[4]string{"output", "p/a", "", "ok  \tp/a\t0.5s\n"},
		[4]string{"pass", "p/a", "", ""},
		[4]string{"output", "p/b", "TestBad", "    b_test.go:7: got 1, want 2\n"},
		[4]string{"output", "p/b", "TestBad", "--- FAIL: TestBad (0.00s)\n"},
		[4]string{"fail", "p/b", "TestBad", ""},
		[4]string{"output", "p/b", "", "FAIL\n"},
		[4]string{"output", "p/b", "", "FAIL\tp/b\t0.1s\n"},
		[4]string{"fail", "p/b", "", ""},
	)
	var out bytes.Buffer
	if code := summarize(strings.NewReader(in), &out, ""); code != 1 {
		t.Errorf("exit %d with a failing test, want 1", code)
	}
	got := out.String()
	for _, want := range []string{
		"ok  \tp/a\t0.5s\n",
		"FAIL\tp/b\t0.1s\n",
		"    b_test.go:7: got 1, want 2\n--- FAIL: TestBad",
		"SKIP p/a TestDocker: Docker is not running.",
		"    start a Docker daemon",
		"SKIP p/a TestImage: image not present locally: mariadb:11.4 (get it with: docker pull mariadb:11.4)\n",
		"\n3 tests skipped: docker ×1, image mariadb:11.4 ×1, mariadb client ×1\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "a log line of a passing test") || strings.Contains(got, "PASS\n") {
		t.Errorf("output has a passing test's log or a bare PASS:\n%s", got)
	}
	if !strings.HasSuffix(got, "mariadb client ×1\n") {
		t.Errorf("the skip count is not the last line:\n%s", got)
	}
}

// In CI (-allow), a skip whose reason is not allowed fails an otherwise
// passing run and is marked; allowed ones pass.
func TestSummarizeAllowList(t *testing.T) {
	in := stream(t,
		[4]string{"output", "p/a", "TestImage", "    c_test.go:9: image not present locally: mariadb:11.4 (get it with: docker pull mariadb:11.4)\n"},
		[4]string{"skip", "p/a", "TestImage", ""},
		[4]string{"output", "p/a", "TestNode", "    n_test.go:22: needs node: npm install --prefix DIR mariadb@3, then MXHARNESS_NODE_PATH=DIR/node_modules (CI does)\n"},
		[4]string{"skip", "p/a", "TestNode", ""},
		[4]string{"output", "p/a", "", "ok  \tp/a\t0.5s\n"},
		[4]string{"pass", "p/a", "", ""},
	)
	var out bytes.Buffer
	if code := summarize(strings.NewReader(in), &out, "mariadb:11.4, node"); code != 0 {
		t.Errorf("every skip allowed: exit %d, want 0\n%s", code, out.String())
	}
	out.Reset()
	if code := summarize(strings.NewReader(in), &out, "mariadb:11.4"); code != 1 {
		t.Errorf("node not allowed: exit %d, want 1", code)
	}
	if !strings.Contains(out.String(), "SKIP NOT ALLOWED IN CI p/a TestNode") || !strings.Contains(out.String(), "FAIL: CI provides") {
		t.Errorf("the disallowed skip is not named:\n%s", out.String())
	}
}
