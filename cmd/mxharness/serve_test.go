package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is written by the command's goroutine and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeStartsSeedsAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr syncBuffer
	gui := t.TempDir()
	const index = `<html><meta name="commitId" content="test"></html>`
	if err := os.WriteFile(filepath.Join(gui, "index.html"), []byte(index), 0o644); err != nil {
		t.Fatal(err)
	}
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, []string{"serve", "--api-addr", "127.0.0.1:0", "--listen", "RW-Split-Router=127.0.0.1:0",
			"--listen", "Read-Connection-Router=127.0.0.1:0", "--seed", "demo", "--log-level", "warn",
			"--cors-origin", "*", "--strict-requests", "--gui", gui}, &stdout, &stderr)
	}()
	apiLine := regexp.MustCompile(`REST API  (http://127\.0\.0\.1:\d+)/v1/`)
	var api string
	deadline := time.Now().Add(10 * time.Second)
	for api == "" || strings.Count(stdout.String(), "\nSQL ") < 2 {
		if m := apiLine.FindStringSubmatch(stdout.String()); m != nil {
			api = m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve printed no listeners within 10 s:\n%s\n%s", stdout.String(), stderr.String())
		}
		select {
		case code := <-exit:
			t.Fatalf("serve exited with %d:\n%s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	for _, path := range []string{"/v1/sessions", "/sim/v1/clock"} {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", api+path, nil)
		req.SetBasicAuth("admin", "mariadb")
		req.Header.Set("Origin", "http://localhost:3000")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Header.Get("Access-Control-Allow-Origin"); path == "/v1/sessions" && got != "*" {
			t.Errorf("GET %s with Origin: Access-Control-Allow-Origin = %q, want * (--cors-origin)", path, got)
		}
		var doc struct{ Data json.RawMessage }
		err = json.NewDecoder(res.Body).Decode(&doc)
		res.Body.Close()
		if res.StatusCode != 200 || err != nil {
			t.Errorf("GET %s: %d %v", path, res.StatusCode, err)
		}
		if path == "/v1/sessions" && strings.Count(string(doc.Data), `"type":"sessions"`)+strings.Count(string(doc.Data), `"type": "sessions"`) == 0 {
			t.Errorf("no seeded sessions: %s", doc.Data)
		}
	}
	if res, err := http.Get(api + "/"); err != nil {
		t.Error(err)
	} else {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || string(body) != index {
			t.Errorf("--gui: GET / = %d %q, want 200 and index.html", res.StatusCode, body)
		}
	}
	strictReq, _ := http.NewRequestWithContext(t.Context(), "GET", api+"/v1/sessions?page%5Bsize%5D=x", nil)
	strictReq.SetBasicAuth("admin", "mariadb")
	if res, err := http.DefaultClient.Do(strictReq); err != nil || res.StatusCode != http.StatusBadRequest {
		t.Errorf("--strict-requests: GET page[size]=x: %v %v, want 400", res, err)
	} else {
		res.Body.Close()
	}
	cancel()
	select {
	case code := <-exit:
		if code != 0 {
			t.Errorf("exit status %d after cancel:\n%s", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop within 15 s")
	}
}

func TestServeRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--listen", "nope=127.0.0.1:0"},
		{"serve", "--listen", "missing-equals"},
		{"serve", "--log-format", "xml"},
		{"serve", "--seed", "nope"},
		{"serve", "--config", "/no/such/file.yaml"},
		{"serve", "--gui", "/no/such/dir"},
		{"serve", "--gui", t.TempDir()}, // no index.html
	} {
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", args, code, stderr.String())
		}
	}
}
