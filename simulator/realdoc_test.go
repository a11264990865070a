package simulator

import (
	"bytes"
	"database/sql"
	"encoding/json"
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
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// realDocs is how the documents under testdata/observed-<release>/ were
// made on a real MaxScale built from source (scripts/maxscale-from-source.sh),
// and how TestDocumentsMatchRealMaxScale makes them on the simulator: the
// same client (go-sql-driver/mysql, one connection per service, each having
// run one SELECT 1), then GET of each session and of the list.
var realDocs = []struct{ file, what string }{
	{"001-get-rwsplit.txt", "session of RW-Split-Router"},
	{"002-get-readconn.txt", "session of Read-Connection-Router"},
	{"003-list.txt", "list of both"},
}

// realRelease names the capture the test compares with; a capture of
// another release goes beside it (MXH_CAPTURE_DIR).
const realRelease = "observed-24.02"

// TestDocumentsMatchRealMaxScale compares the simulator's session and list
// documents with a real MaxScale's, made the same way, path for path and
// JSON type for type (values differ: ids, times, counters).
func TestDocumentsMatchRealMaxScale(t *testing.T) {
	s := startSim(t, nil)
	got := makeDocs(t, http.DefaultClient, s.APIURL, s.SQLAddrs["RW-Split-Router"], s.SQLAddrs["Read-Connection-Router"])
	for i, d := range realDocs {
		raw, err := os.ReadFile(filepath.Join("testdata", realRelease, d.file))
		if err != nil {
			t.Fatal(err)
		}
		want, err := transcriptBody(raw)
		if err != nil {
			t.Fatalf("%s: %v", d.file, err)
		}
		if diff := shapeDiff(jsonShape(t, byService(t, want)), jsonShape(t, byService(t, got[i].body))); diff != "" {
			t.Errorf("%s (%s): the simulator's document departs from real MaxScale's (%s):\n%s", d.what, d.file, realRelease, diff)
		}
	}
}

// TestCaptureRealDocuments writes testdata/observed-<release>/ from a real
// MaxScale: MXH_CAPTURE=API_URL,RWSPLIT_ADDR,READCONN_ADDR and
// MXH_CAPTURE_DIR=observed-24.02 (for instance). Without them it skips.
func TestCaptureRealDocuments(t *testing.T) {
	target, dir := os.Getenv("MXH_CAPTURE"), os.Getenv("MXH_CAPTURE_DIR")
	if target == "" || dir == "" {
		t.Skip("set MXH_CAPTURE=API_URL,RWSPLIT_ADDR,READCONN_ADDR and MXH_CAPTURE_DIR=observed-RELEASE to capture a real MaxScale's documents")
	}
	parts := strings.Split(target, ",")
	if len(parts) != 3 {
		t.Fatalf("MXH_CAPTURE=%q: want API_URL,RWSPLIT_ADDR,READCONN_ADDR", target)
	}
	docs := makeDocs(t, http.DefaultClient, parts[0], parts[1], parts[2])
	if err := os.MkdirAll(filepath.Join("testdata", dir), 0o755); err != nil {
		t.Fatal(err)
	}
	for i, d := range realDocs {
		path := filepath.Join("testdata", dir, d.file)
		if err := os.WriteFile(path, docs[i].transcript(strings.TrimSuffix(d.file, ".txt"), d.what), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
	}
}

// exchangeRecord is one request and response, kept for a transcript.
type exchangeRecord struct {
	req    *http.Request
	resp   *http.Response
	body   []byte
	taken  time.Time
	client string
}

// transcript renders e in the format of shared/reference/observed-24.02.4.
func (e exchangeRecord) transcript(name, note string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# case: %s\n# note: %s; clients: %s\n# auth: basic admin:mariadb\n# t: %s\n", name, note, e.client, e.taken.UTC().Format(time.RFC3339))
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
			if k == "Authorization" {
				v = "Basic YWRtaW46bWFyaWFkYg==" // admin:mariadb, as the reference transcripts show it
			}
			fmt.Fprintf(b, "%s: %s\n", k, v)
		}
	}
}

// makeDocs connects the clients of realDocs to the two listeners and GETs
// the documents, in realDocs' order. The sessions stay open until the test
// ends.
func makeDocs(t *testing.T, hc *http.Client, api, rwsplit, readconn string) []exchangeRecord {
	t.Helper()
	api = strings.TrimSuffix(strings.TrimSuffix(api, "/"), "/v1")
	ids := func() []string {
		r := getDoc(t, hc, api+"/v1/sessions?fields[sessions]=id")
		var doc struct{ Data []struct{ ID string } }
		if err := json.Unmarshal(r.body, &doc); err != nil {
			t.Fatalf("list: %v: %s", err, r.body)
		}
		var out []string
		for _, d := range doc.Data {
			out = append(out, d.ID)
		}
		return out
	}
	var sessions []string
	for _, addr := range []string{rwsplit, readconn} {
		before := ids()
		cfg := mysql.NewConfig()
		cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = "maxuser", "maxpwd", "tcp", addr
		connector, err := mysql.NewConnector(cfg)
		if err != nil {
			t.Fatal(err)
		}
		db := sql.OpenDB(connector)
		t.Cleanup(func() { db.Close() })
		conn, err := db.Conn(t.Context())
		if err != nil {
			t.Fatalf("connect to %s: %v", addr, err)
		}
		t.Cleanup(func() { conn.Close() })
		var one int
		if err := conn.QueryRowContext(t.Context(), "SELECT 1").Scan(&one); err != nil {
			t.Fatalf("SELECT 1 through %s: %v", addr, err)
		}
		var id string
		eventually(t, "the session of "+addr+" is listed", func() bool {
			for _, i := range ids() {
				if !slices.Contains(before, i) {
					id = i
				}
			}
			return id != ""
		})
		sessions = append(sessions, id)
	}
	if all := ids(); len(all) != 2 {
		t.Fatalf("sessions %v: want only the two of this test (nothing else connected to the target)", all)
	}
	return []exchangeRecord{
		getDoc(t, hc, api+"/v1/sessions/"+sessions[0]),
		getDoc(t, hc, api+"/v1/sessions/"+sessions[1]),
		getDoc(t, hc, api+"/v1/sessions"),
	}
}

func getDoc(t *testing.T, hc *http.Client, url string) exchangeRecord {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("admin", "mariadb")
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v: %s", url, resp.StatusCode, err, body)
	}
	return exchangeRecord{req: req, resp: resp, body: body, taken: time.Now(), client: "go-sql-driver/mysql on RW-Split-Router and Read-Connection-Router, SELECT 1 each"}
}

var bodyStart = regexp.MustCompile(`(?m)^--- response body \((\d+) bytes\) ---\n`)

// transcriptBody returns the response body of a transcript.
func transcriptBody(raw []byte) ([]byte, error) {
	m := bodyStart.FindSubmatchIndex(raw)
	if m == nil {
		return nil, fmt.Errorf("no response body marker")
	}
	n, _ := strconv.Atoi(string(raw[m[2]:m[3]]))
	if m[1]+n > len(raw) {
		return nil, fmt.Errorf("body of %d bytes announced, %d there", n, len(raw)-m[1])
	}
	return raw[m[1] : m[1]+n], nil
}

// byService orders a list document's sessions by their service: MaxScale
// lists them worker by worker, so the order of two sessions is not stable.
func byService(t *testing.T, doc []byte) []byte {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatalf("%v: %s", err, doc)
	}
	list, ok := d["data"].([]any)
	if !ok {
		return doc
	}
	service := func(el any) string {
		rel, _ := el.(map[string]any)["relationships"].(map[string]any)
		svc, _ := rel["services"].(map[string]any)
		data, _ := svc["data"].([]any)
		if len(data) == 0 {
			return ""
		}
		id, _ := data[0].(map[string]any)["id"].(string)
		return id
	}
	sort.SliceStable(list, func(i, j int) bool { return service(list[i]) < service(list[j]) })
	out, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// jsonShape maps every JSON pointer of a document to its JSON type.
func jsonShape(t *testing.T, doc []byte) map[string]string {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatalf("%v: %s", err, doc)
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
	return out
}

// shapeDiff lists the pointers one shape has and the other lacks, and those
// whose types differ; "" when the shapes are equal.
func shapeDiff(real, sim map[string]string) string {
	var lines []string
	for p, ty := range real {
		switch st, ok := sim[p]; {
		case !ok:
			lines = append(lines, fmt.Sprintf("  only real MaxScale: %s (%s)", p, ty))
		case st != ty:
			lines = append(lines, fmt.Sprintf("  type of %s: real %s, simulator %s", p, ty, st))
		}
	}
	for p, ty := range sim {
		if _, ok := real[p]; !ok {
			lines = append(lines, fmt.Sprintf("  only simulator:    %s (%s)", p, ty))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
