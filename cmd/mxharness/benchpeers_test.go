package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/simulator"
	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/seed"
)

// TestBenchPeersCommand runs `mxharness bench-peers` small, with a second
// simulator standing in for a real MaxScale, and checks that every case has
// a row for every server, each answered without an error; --maxscale-sql
// adds the first data set's number of clients to the stand-in's 12 demo
// sessions.
func TestBenchPeersCommand(t *testing.T) {
	cfg := config.Default()
	cfg.API.Address = "127.0.0.1:0"
	for i := range cfg.Services {
		cfg.Services[i].Listener = "127.0.0.1:0"
	}
	other, err := simulator.Start(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := seed.Apply(other.Server.Registry(), "demo"); err != nil {
		t.Fatal(err)
	}

	var out, errOut bytes.Buffer
	code := run(t.Context(), []string{"bench-peers", "--sessions", "20,400", "--requests", "40", "--large-requests", "8",
		"--concurrency", "4", "--rounds", "2", "--no-prism", "--maxscale", other.APIURL, "--maxscale-requests", "10",
		"--maxscale-sql", other.SQLAddrs["RW-Split-Router"]}, &out, &errOut)
	if code != 0 {
		t.Fatalf("bench-peers exited %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	row := func(request, sessions, server, requests, status string) string {
		return `(?m)^\| ` + regexp.QuoteMeta(request) + ` \| ` + sessions + ` \| ` + regexp.QuoteMeta(server) + ` \| ` +
			requests + ` \| [0-9]+ \| [0-9.]+ % \| [0-9.]+ ms \| [0-9.]+ ms \| ` + status + ` \| [0-9]+ \| 0 \|$`
	}
	want := []string{
		row("GET one session", "20", "bare net/http", "80", "200"),
		row("GET one session", "20", "mxharness serve", "80", "200"),
		row("GET one session", "32", "MaxScale", "10", "200"),
		row("GET all", "400", "mxharness serve", "80", "200"),
		row("GET all, page[size]=100", "400", "bare net/http", "80", "200"),
		row("GET all, page[size]=100", "400", "mxharness serve", "80", "200"),
		row("GET all, fields[sessions]=user,state", "20", "mxharness serve", "80", "200"),
		row("GET all, fields[sessions]=user,state", "32", "MaxScale", "10", "200"),
		row("PATCH one session", "20", "mxharness serve", "80", "200"),
	}
	for _, w := range want {
		if !regexp.MustCompile(w).MatchString(out.String()) {
			t.Errorf("table lacks %s:\n%s", w, out.String())
		}
	}
	if strings.Contains(out.String(), "| PATCH one session | 32 | MaxScale") {
		t.Errorf("MaxScale was PATCHed without --maxscale-patch:\n%s", out.String())
	}
}

func TestBenchPeersRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--sessions", "0"}, {"--sessions", "x"}, {"--requests", "0"}, {"extra"}, {"--maxscale-sql", "127.0.0.1:1"}} {
		var out, errOut bytes.Buffer
		if code := run(t.Context(), append([]string{"bench-peers", "--no-prism"}, args...), &out, &errOut); code != 2 {
			t.Errorf("bench-peers %v exited %d, want 2", args, code)
		}
	}
}
