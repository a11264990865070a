// Package capture takes the session and list documents of a running
// MaxScale (or of anything that claims to be one) the way
// simulator/testdata/observed-<release>/ holds them, and reads them back.
//
// A capture connects one go-sql-driver/mysql client to each of the two
// listeners (readwritesplit and readconnroute), runs SELECT 1 on each, then
// GETs each client's session and the list of both. The files are transcripts
// in the format of shared/reference/observed-24.02.4: `mxharness capture`
// writes them, and the simulator's TestDocumentsMatchRealMaxScale compares
// its own documents, taken with Take, with them JSON pointer for JSON pointer.
package capture

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Files are the documents of a capture, in the order Take returns them: the
// file each is written to and what it shows.
var Files = []struct{ Name, What string }{
	{"001-get-rwsplit.txt", "session of RW-Split-Router"},
	{"002-get-readconn.txt", "session of Read-Connection-Router"},
	{"003-list.txt", "list of both"},
}

// clients is the transcripts' note on what made the sessions.
const clients = "go-sql-driver/mysql on RW-Split-Router and Read-Connection-Router, SELECT 1 each"

// Target is where a capture is taken.
type Target struct {
	API            string // REST API base URL, with or without /v1
	User, Password string // REST API account
	// RWSplit and ReadConn are the HOST:PORT of the readwritesplit and
	// readconnroute listeners.
	RWSplit, ReadConn    string
	SQLUser, SQLPassword string
	HTTP                 *http.Client  // nil: http.DefaultClient
	Wait                 time.Duration // how long a new client's session may take to be listed; 0: 10 s
}

// Doc is one document of a capture.
type Doc struct {
	Name, What string // from Files
	Body       []byte // the response body
	Transcript []byte // the whole file: request, response headers, body
}

// ErrOtherSessions is returned when the target has sessions besides the
// capture's own: the list document would not be the list of both.
var ErrOtherSessions = errors.New("the target has other sessions (a capture needs a target nothing else is connected to)")

// Take connects the two clients, GETs the documents in Files' order and
// closes the clients.
func Take(ctx context.Context, t Target) ([]Doc, error) {
	if t.HTTP == nil {
		t.HTTP = http.DefaultClient
	}
	if t.Wait == 0 {
		t.Wait = 10 * time.Second
	}
	api := strings.TrimSuffix(strings.TrimSuffix(t.API, "/"), "/v1")
	var sessions []string
	for _, addr := range []string{t.RWSplit, t.ReadConn} {
		before, err := t.ids(ctx, api)
		if err != nil {
			return nil, err
		}
		conn, err := t.connect(ctx, addr)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		id, err := t.awaitNew(ctx, api, addr, before)
		if err != nil {
			return nil, err
		}
		sessions = append(sessions, id)
	}
	all, err := t.ids(ctx, api)
	if err != nil {
		return nil, err
	}
	if len(all) != len(sessions) {
		return nil, fmt.Errorf("sessions %v, the capture's %v: %w", all, sessions, ErrOtherSessions)
	}
	var docs []Doc
	for i, url := range []string{api + "/v1/sessions/" + sessions[0], api + "/v1/sessions/" + sessions[1], api + "/v1/sessions"} {
		ex, err := t.get(ctx, url)
		if err != nil {
			return nil, err
		}
		f := Files[i]
		docs = append(docs, Doc{Name: f.Name, What: f.What, Body: ex.body, Transcript: ex.transcript(strings.TrimSuffix(f.Name, ".txt"), f.What, t.User)})
	}
	return docs, nil
}

// connect opens one client connection to addr and runs SELECT 1 on it.
func (t Target) connect(ctx context.Context, addr string) (*sql.DB, error) {
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = t.SQLUser, t.SQLPassword, "tcp", addr
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("client of %s: %w", addr, err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	var one int
	if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		db.Close()
		return nil, fmt.Errorf("SELECT 1 through %s: %w", addr, err)
	}
	return db, nil
}

// awaitNew polls the list until a session that was not in before appears.
func (t Target) awaitNew(ctx context.Context, api, addr string, before []string) (string, error) {
	deadline := time.Now().Add(t.Wait)
	for {
		now, err := t.ids(ctx, api)
		if err != nil {
			return "", err
		}
		for _, id := range now {
			if !slices.Contains(before, id) {
				return id, nil
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("the session of the client of %s is not listed within %s", addr, t.Wait)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// ids lists the ids of the target's sessions.
func (t Target) ids(ctx context.Context, api string) ([]string, error) {
	ex, err := t.get(ctx, api+"/v1/sessions?fields[sessions]=id")
	if err != nil {
		return nil, err
	}
	var doc struct{ Data []struct{ ID string } }
	if err := json.Unmarshal(ex.body, &doc); err != nil {
		return nil, fmt.Errorf("list of sessions: %w: %s", err, ex.body)
	}
	ids := make([]string, len(doc.Data))
	for i, d := range doc.Data {
		ids[i] = d.ID
	}
	return ids, nil
}

// exchange is one request and its response.
type exchange struct {
	req   *http.Request
	resp  *http.Response
	body  []byte
	taken time.Time
}

func (t Target) get(ctx context.Context, url string) (exchange, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return exchange{}, err
	}
	req.SetBasicAuth(t.User, t.Password)
	resp, err := t.HTTP.Do(req)
	if err != nil {
		return exchange{}, fmt.Errorf("GET %s: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return exchange{}, fmt.Errorf("GET %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return exchange{}, fmt.Errorf("GET %s: status %d, want 200: %s", url, resp.StatusCode, body)
	}
	return exchange{req: req, resp: resp, body: body, taken: time.Now()}, nil
}

// defaultAuth is MaxScale's default admin account, the only one a
// transcript shows in full (as the reference transcripts do).
var defaultAuth = "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:mariadb"))

// transcript renders e in the format of shared/reference/observed-24.02.4.
func (e exchange) transcript(name, note, user string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# case: %s\n# note: %s; clients: %s\n# auth: basic %s:", name, note, clients, user)
	if e.req.Header.Get("Authorization") == defaultAuth {
		b.WriteString("mariadb\n")
	} else {
		b.WriteString("(password not shown)\n")
	}
	fmt.Fprintf(&b, "# t: %s\n", e.taken.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "=== REQUEST ===\nURL: %s\n%s %s HTTP/1.1\nHost: %s\n", e.req.URL, e.req.Method, e.req.URL.RequestURI(), e.req.URL.Host)
	writeHeaders(&b, e.req.Header)
	b.WriteString("--- no request body ---\n=== RESPONSE ===\n")
	fmt.Fprintf(&b, "%s %s\n", e.resp.Proto, e.resp.Status)
	writeHeaders(&b, e.resp.Header)
	fmt.Fprintf(&b, "--- response body (%d bytes) ---\n", len(e.body))
	b.Write(e.body)
	if len(e.body) > 0 && e.body[len(e.body)-1] != '\n' {
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func writeHeaders(b *bytes.Buffer, h http.Header) {
	for _, k := range slices.Sorted(maps.Keys(h)) {
		for _, v := range h[k] {
			if k == "Authorization" && v != defaultAuth {
				v = "Basic (not shown)"
			}
			fmt.Fprintf(b, "%s: %s\n", k, v)
		}
	}
}

// Write writes docs' transcripts into dir, creating it.
func Write(dir string, docs []Doc) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, d := range docs {
		if err := os.WriteFile(filepath.Join(dir, d.Name), d.Transcript, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Read reads the capture in dir, in Files' order.
func Read(dir string) ([]Doc, error) {
	var docs []Doc
	for _, f := range Files {
		raw, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			return nil, err
		}
		body, err := TranscriptBody(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, f.Name), err)
		}
		docs = append(docs, Doc{Name: f.Name, What: f.What, Body: body, Transcript: raw})
	}
	return docs, nil
}

var bodyStart = regexp.MustCompile(`(?m)^--- response body \((\d+) bytes\) ---\n`)

// TranscriptBody returns the response body of a transcript in the format of
// shared/reference/observed-24.02.4 (its "--- response body (N bytes) ---").
func TranscriptBody(raw []byte) ([]byte, error) {
	m := bodyStart.FindSubmatchIndex(raw)
	if m == nil {
		return nil, errors.New("no response body marker")
	}
	n, _ := strconv.Atoi(string(raw[m[2]:m[3]]))
	if m[1]+n > len(raw) {
		return nil, fmt.Errorf("body of %d bytes announced, %d there", n, len(raw)-m[1])
	}
	return raw[m[1] : m[1]+n], nil
}

// Shape maps every JSON pointer of a document to its JSON type. A list's
// sessions are ordered by service first: MaxScale lists them worker by
// worker, so the order of two sessions is not stable.
func Shape(doc []byte) (map[string]string, error) {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, fmt.Errorf("%w: %s", err, doc)
	}
	if d, ok := v.(map[string]any); ok {
		if list, ok := d["data"].([]any); ok {
			sort.SliceStable(list, func(i, j int) bool { return service(list[i]) < service(list[j]) })
		}
	}
	out := map[string]string{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			out[path] = "object"
			for k, e := range x {
				walk(path+"/"+k, e)
			}
		case []any:
			out[path] = "array"
			for i, e := range x {
				walk(path+"/"+strconv.Itoa(i), e)
			}
		case string:
			out[path] = "string"
		case float64:
			out[path] = "number"
		case bool:
			out[path] = "boolean"
		default:
			out[path] = "null"
		}
	}
	walk("", v)
	return out, nil
}

// service is the first service a session document relates to.
func service(el any) string {
	obj, _ := el.(map[string]any)
	rel, _ := obj["relationships"].(map[string]any)
	svc, _ := rel["services"].(map[string]any)
	data, _ := svc["data"].([]any)
	if len(data) == 0 {
		return ""
	}
	first, _ := data[0].(map[string]any)
	id, _ := first["id"].(string)
	return id
}

// ShapeDiff lists the pointers one shape has and the other lacks, and those
// whose types differ, one line each, sorted; "" when the shapes are equal.
// want is the real MaxScale's, got the simulator's.
func ShapeDiff(want, got map[string]string) string {
	var lines []string
	for p, ty := range want {
		switch gt, ok := got[p]; {
		case !ok:
			lines = append(lines, fmt.Sprintf("  only real MaxScale: %s (%s)", p, ty))
		case gt != ty:
			lines = append(lines, fmt.Sprintf("  type of %s: real %s, simulator %s", p, ty, gt))
		}
	}
	for p, ty := range got {
		if _, ok := want[p]; !ok {
			lines = append(lines, fmt.Sprintf("  only simulator:    %s (%s)", p, ty))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
