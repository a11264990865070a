package spec

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// referenceDir returns a folder of the reference material the tests read:
// the MaxScale 24.02 documentation, the catalogue of its behaviour and the
// transcripts of a real 24.02.4, copied from ../shared into testdata so
// that a clean clone runs every test.
func referenceDir(t *testing.T, sub string) string {
	t.Helper()
	dir := filepath.Join("testdata", sub)
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("reference material %s is missing from the repository: %v", dir, err)
	}
	return dir
}

// exchange is one HTTP request and response of a transcript.
type exchange struct {
	name    string // file name without .txt, e.g. 003-get-one
	request *http.Request
	status  int
	header  http.Header
	body    []byte
}

// readTranscripts parses every observed-24.02.4 file that records an HTTP
// exchange (maxctrl runs, polls and client logs are skipped).
func readTranscripts(t *testing.T) []exchange {
	t.Helper()
	return readTranscriptsIn(t, referenceDir(t, "reference/observed-24.02.4"))
}

// observedVersions are the releases with transcripts of their own beside
// the reference ones of 24.02.4, in testdata/observed-<version>; a case
// "<version>:NNN" of an x-observed record names one of them.
var observedVersions = []string{"23.08.6", "24.08.0"}

// readTranscriptsIn parses every NNN-*.txt file of dir that records an
// HTTP exchange.
func readTranscriptsIn(t *testing.T, dir string) []exchange {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "[0-9][0-9][0-9]-*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out []exchange
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte("=== RESPONSE ===\nHTTP/")) {
			continue
		}
		ex, err := parseTranscript(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		ex.name = strings.TrimSuffix(filepath.Base(f), ".txt")
		out = append(out, ex)
	}
	if len(out) == 0 {
		t.Fatalf("no HTTP transcripts in %s", dir)
	}
	return out
}

var bodyMarker = regexp.MustCompile(`^--- (?:request|response) body \((\d+) bytes\) ---$`)

func parseTranscript(data []byte) (exchange, error) {
	var ex exchange
	_, rest, ok := bytes.Cut(data, []byte("=== REQUEST ===\n"))
	if !ok {
		return ex, fmt.Errorf("no request")
	}
	reqPart, respPart, ok := bytes.Cut(rest, []byte("=== RESPONSE ===\n"))
	if !ok {
		return ex, fmt.Errorf("no response")
	}
	// Request: URL line, request line, headers, body marker, body.
	r := bufio.NewReader(bytes.NewReader(reqPart))
	if _, err := r.ReadString('\n'); err != nil { // URL: …
		return ex, err
	}
	line, err := r.ReadString('\n')
	if err != nil {
		return ex, err
	}
	parts := strings.Fields(line)
	if len(parts) != 3 {
		return ex, fmt.Errorf("request line %q", line)
	}
	reqHeader, reqBody, err := headersAndBody(r)
	if err != nil {
		return ex, fmt.Errorf("request: %w", err)
	}
	target := "http://" + reqHeader.Get("Host") + parts[1]
	hreq, err := http.NewRequest(parts[0], target, bytes.NewReader(reqBody))
	if err != nil {
		return ex, err
	}
	hreq.Header = reqHeader
	ex.request = hreq
	// Response: status line, headers, body marker, body.
	r = bufio.NewReader(bytes.NewReader(respPart))
	line, err = r.ReadString('\n')
	if err != nil {
		return ex, err
	}
	parts = strings.Fields(line)
	if len(parts) < 2 {
		return ex, fmt.Errorf("status line %q", line)
	}
	if ex.status, err = strconv.Atoi(parts[1]); err != nil {
		return ex, fmt.Errorf("status line %q: %w", line, err)
	}
	ex.header, ex.body, err = headersAndBody(r)
	if err != nil {
		return ex, fmt.Errorf("response: %w", err)
	}
	return ex, nil
}

// headersAndBody reads "Name: value" lines up to a body marker, then the
// number of body bytes the marker announces.
func headersAndBody(r *bufio.Reader) (http.Header, []byte, error) {
	h := http.Header{}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, nil, fmt.Errorf("headers: %w", err)
		}
		line = strings.TrimRight(line, "\n")
		if line == "--- no request body ---" {
			return h, nil, nil
		}
		if m := bodyMarker.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			body := make([]byte, n)
			if _, err := io.ReadFull(r, body); err != nil {
				return nil, nil, fmt.Errorf("body of %d bytes: %w", n, err)
			}
			return h, body, nil
		}
		name, value, ok := strings.Cut(line, ": ")
		if !ok {
			return nil, nil, fmt.Errorf("header line %q", line)
		}
		h.Add(name, value)
	}
}
