package jsonapi

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// transcript is one recorded exchange with MaxScale 24.02.4 (copied from
// the shared reference into testdata/observed so tests stay hermetic).
type transcript struct {
	name       string
	requestURL string
	// requestHeaders are the headers curl sent.
	requestHeaders http.Header
	status         int
	headers        map[string]string // canonical-case names, first value
	body           []byte            // exactly the recorded body bytes; nil when none
}

func loadTranscript(t testing.TB, name string) transcript {
	t.Helper()
	return loadTranscriptFrom(t, filepath.Join("testdata", "observed"), name)
}

// loadTranscriptFrom reads the transcript dir/name*.txt.
func loadTranscriptFrom(t testing.TB, dir, name string) transcript {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, name+"*.txt"))
	if err != nil || len(matches) != 1 {
		t.Fatalf("transcript %s: %d matches (%v)", name, len(matches), err)
	}
	raw, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	tr, err := parseTranscript(raw)
	if err != nil {
		t.Fatalf("transcript %s: %v", name, err)
	}
	tr.name = name
	return tr
}

func parseTranscript(raw []byte) (transcript, error) {
	tr := transcript{headers: map[string]string{}, requestHeaders: http.Header{}}
	respAt := bytes.Index(raw, []byte("=== RESPONSE ===\n"))
	if respAt < 0 {
		return tr, fmt.Errorf("no response section")
	}
	inRequest := false
	for line := range strings.Lines(string(raw[:respAt])) {
		line = strings.TrimRight(line, "\r\n")
		if u, ok := strings.CutPrefix(line, "URL: "); ok {
			tr.requestURL = u
			inRequest = true
			continue
		}
		if k, v, ok := strings.Cut(line, ": "); ok && inRequest && !strings.HasPrefix(line, "---") {
			tr.requestHeaders.Add(k, v)
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(raw[respAt:]))
	sc.Scan() // === RESPONSE ===
	sc.Scan()
	statusLine := strings.Fields(sc.Text())
	if len(statusLine) < 2 {
		return tr, fmt.Errorf("bad status line %q", sc.Text())
	}
	status, err := strconv.Atoi(statusLine[1])
	if err != nil {
		return tr, fmt.Errorf("bad status line %q", sc.Text())
	}
	tr.status = status
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "---") {
			break
		}
		k, v, ok := strings.Cut(line, ": ")
		if ok {
			if _, dup := tr.headers[k]; !dup {
				tr.headers[k] = v
			}
		}
	}
	marker := []byte("--- response body (")
	at := bytes.Index(raw[respAt:], marker)
	if at < 0 {
		return tr, nil
	}
	rest := raw[respAt+at+len(marker):]
	n, err := strconv.Atoi(string(rest[:bytes.IndexByte(rest, ' ')]))
	if err != nil {
		return tr, fmt.Errorf("body length: %w", err)
	}
	rest = rest[bytes.IndexByte(rest, '\n')+1:]
	if len(rest) < n {
		return tr, fmt.Errorf("body shorter than %d bytes", n)
	}
	tr.body = rest[:n]
	return tr, nil
}

// query returns the raw query string of the recorded request URL.
func (tr transcript) query() string {
	_, q, _ := strings.Cut(tr.requestURL, "?")
	return q
}

func (tr transcript) tree(t testing.TB) any {
	t.Helper()
	v, err := Decode(tr.body)
	if err != nil {
		t.Fatalf("%s: decode body: %v", tr.name, err)
	}
	return v
}
