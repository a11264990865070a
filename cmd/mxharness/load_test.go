package main

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/mxharness/mxharness/bench"
)

// TestLoadCommand runs `mxharness load` small, clients in-process (a test
// binary cannot start itself as the client process), and checks that every
// figure of the report is there and that nothing failed.
func TestLoadCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(t.Context(), []string{"load", "--in-process-clients", "--clients", "50", "--parallel", "8",
		"--duration", "300ms", "--pollers", "2", "--all-every", "5", "--synthetic", "1500", "--requests", "20"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("load exited %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{
		`(?m)^clients: 50 opened in \S+ \(\d+ connections/s\), 0 failed$`,
		`(?m)^heap per idle session: -?[0-9.]+ KiB \(simulator and clients`,
		`(?m)^  GET /v1/sessions/:id +[1-9]\d* requests +[0-9.]+ req/s +p50 \S+ +p99 \S+ +errors 0$`,
		`(?m)^  GET /v1/sessions +\d+ requests`,
		`(?m)^synthetic: 1500 created through the control API in \S+; heap per synthetic session -?[0-9.]+ KiB`,
		`(?m)^beside a bare handler writing the same bytes, 2 clients, 1550 sessions, in alternating rounds \(medians\):$`,
		`(?m)^  GET /v1/sessions\?page\[size\]=100 +sim +[0-9.]+ req/s p50 \S+ +p99 \S+ +\| bare +[0-9.]+ req/s p50 \S+ +\| +[0-9.]+ % of bare \(20 requests of \d+ bytes\)$`,
		`(?m)^  GET /v1/sessions +sim +[0-9.]+ req/s`,
		`(?m)^heap per session once listed: \+-?[0-9.]+ KiB \(kept parts and bodies; heap [0-9.]+ MiB\)$`,
	} {
		if !regexp.MustCompile(want).MatchString(out.String()) {
			t.Errorf("report lacks %s:\n%s", want, out.String())
		}
	}
}

func TestLoadCommandRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--clients", "0"}, {"--duration", "-1s"}, {"extra"}} {
		var out, errOut bytes.Buffer
		if code := run(t.Context(), append([]string{"load"}, args...), &out, &errOut); code != 2 {
			t.Errorf("load %v exited %d, want 2", args, code)
		}
	}
}

// TestMedianRoundKeepsEveryRoundsErrors: the round reported is the one of
// median req/s, and no round's failures are dropped with the others.
func TestMedianRoundKeepsEveryRoundsErrors(t *testing.T) {
	got := medianRound([]bench.Sample{{PerSec: 3, Errors: 1, FirstError: "first"}, {PerSec: 1}, {PerSec: 2, Errors: 2, FirstError: "later"}})
	if got.PerSec != 2 || got.Errors != 3 || got.FirstError != "first" {
		t.Errorf("medianRound = %+v, want req/s 2 with 3 errors, the first %q", got, "first")
	}
}
