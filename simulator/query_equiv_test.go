package simulator

import (
	"bytes"
	"fmt"
	"iter"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mxharness/mxharness/simulator/jsonapi"
	"github.com/mxharness/mxharness/simulator/session"
)

// TestQueryFastPathsMatchSlowPaths is the property behind the query
// language's fast paths: over random sessions (odd bytes and invalid UTF-8
// in their attributes included) and random fields, pointer and JSONPath
// filters and pages, the collection rendered from kept parts (read member
// by member from their encodings), reaching Shape by each of fastPaths,
// shapes to exactly the bytes the same collection rendered as plain
// objects (the slow path) shapes to, pretty and compact, errors included;
// and each session alone encodes as its plain objects do.
func TestQueryFastPathsMatchSlowPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, uint64(time.Now().UnixNano())))
	const base = "http://127.0.0.1:8989/v1/"
	ident := func(ip string) string { return ip }
	for round := range 40 {
		n := 1 + rng.IntN(12)
		var values []string // strings the sessions hold, for the filters to look for
		snaps := make([]session.Snapshot, n)
		for i := range snaps {
			snaps[i] = randomSnapshot(rng, i+1, &values)
		}
		// render renders the sessions with the clock moved on by tick:
		// from the same kept parts, with other clock members.
		render := func(tick int) (slow, fast []any) {
			slow, fast = make([]any, n), make([]any, n)
			for i, snap := range snaps {
				snap.SecondsAlive += float64(tick)
				snap.Idle += float64(tick) / 10
				snap.IOActivity += tick
				fast[i] = sessionResource(&snap, base, ident, nil) // kept parts
				slow[i] = thawed(fast[i])                          // the same as plain objects
				if _, ok := fast[i].(*jsonapi.Overlay); !ok {
					t.Fatalf("a session renders as %T, want kept parts", fast[i])
				}
			}
			return slow, fast
		}
		doc := func(rows any) any {
			return map[string]any{"data": rows, "links": map[string]any{"self": base + "sessions/"}}
		}
		for tick := range 60 {
			raw := randomQuery(rng, values)
			q := jsonapi.ParseQuery(raw)
			slow, fast := render(tick)
			want, _, wantErr := jsonapi.Shape(doc(slow), q, jsonapi.Options{})
			// Each fast path twice, the second time on the clock's next
			// values: it reads what the first kept (selections, pretty
			// encodings), which must not hold the clock's.
			for j, path := range slices.Concat(fastPaths, fastPaths) {
				if j == len(fastPaths) {
					slow, fast = render(tick + 1000)
					want, _, wantErr = jsonapi.Shape(doc(slow), q, jsonapi.Options{})
				}
				data, check := path.data(fast, func(i int, r *resourceRow) any { return keptResource(&snaps[i], base, nil, r) })
				got, _, gotErr := jsonapi.Shape(doc(data), q, jsonapi.Options{})
				if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) {
					t.Fatalf("round %d, %s, ?%s: error %v, slow path %v", round, path.name, raw, gotErr, wantErr)
				}
				for _, pretty := range []bool{true, false} {
					if w, g := jsonapi.Marshal(want, pretty), jsonapi.Marshal(got, pretty); !bytes.Equal(w, g) {
						t.Fatalf("round %d, %s, ?%s (pretty %v): fast path differs from the slow path\nfast: %.2000s\nslow: %.2000s",
							round, path.name, raw, pretty, g, w)
					}
					if err := check(); err != nil {
						t.Fatalf("round %d, %s, ?%s: %v", round, path.name, raw, err)
					}
				}
			}
			// Peeked rows of sessions some of which changed since their
			// parts were kept: a row's kept verdict is read from its
			// session's memo only while that shows the session's state.
			changed := slices.Clone(snaps)
			plain := make([]any, n)
			for i := range changed {
				switch rng.IntN(6) {
				case 0:
					changed[i].User = randomString(rng, &values)
				case 1:
					changed[i].Service = []string{"RW-Split-Router", "Read-Connection-Router"}[rng.IntN(2)]
				}
				c := changed[i]
				c.Memo = nil // rendered without reading or replacing the kept parts
				plain[i] = thawed(sessionResource(&c, base, ident, nil))
			}
			wantC, _, wantErrC := jsonapi.Shape(doc(plain), q, jsonapi.Options{})
			lazy, check := lazyRows(len(changed), func(i int) any { return sessionResource(&changed[i], base, ident, nil) })
			gotC, _, gotErrC := jsonapi.Shape(doc(lazy.Peeked(func(lo, hi int) iter.Seq2[int, any] {
				return peekRows(lo, hi, func(i int, r *resourceRow) any { return keptResource(&changed[i], base, nil, r) })
			})), q, jsonapi.Options{})
			if fmt.Sprint(wantErrC) != fmt.Sprint(gotErrC) {
				t.Fatalf("round %d, peeked rows of changed sessions, ?%s: error %v, slow path %v", round, raw, gotErrC, wantErrC)
			}
			if w, g := jsonapi.Marshal(wantC, true), jsonapi.Marshal(gotC, true); !bytes.Equal(w, g) {
				t.Fatalf("round %d, peeked rows of changed sessions, ?%s: fast path differs from the slow path\nfast: %.2000s\nslow: %.2000s",
					round, raw, g, w)
			}
			if err := check(); err != nil {
				t.Fatalf("round %d, peeked rows of changed sessions, ?%s: %v", round, raw, err)
			}
			// One session, as GET of it shows it: its rows' kept pretty
			// encodings (the page cache) are of another depth.
			k := rng.IntN(n)
			if w, g := jsonapi.Marshal(map[string]any{"data": slow[k]}, true), jsonapi.Marshal(map[string]any{"data": fast[k]}, true); !bytes.Equal(w, g) {
				t.Fatalf("round %d, session %d alone: fast path differs from the slow path\nfast: %.2000s\nslow: %.2000s", round, k, g, w)
			}
		}
	}
}

// fastPaths are the ways a collection of kept parts reaches Shape: data
// returns the collection's `data` and a check to run after each Marshal of
// the shaped document; parts(i, r) is row i's kept parts (keptResource).
var fastPaths = []struct {
	name string
	data func(rows []any, parts func(i int, r *resourceRow) any) (any, func() error)
}{
	{"kept parts", func(rows []any, _ func(int, *resourceRow) any) (any, func() error) {
		return rows, func() error { return nil }
	}},
	// The lazy collection of listSessions: a row read twice would be
	// snapshotted twice, and the two could show different states.
	{"lazy rows", func(rows []any, _ func(int, *resourceRow) any) (any, func() error) {
		return lazyRows(len(rows), func(i int) any { return rows[i] })
	}},
	// ... whose kept verdicts are read from their parts before the rows
	// are made.
	{"peeked lazy rows", func(rows []any, parts func(int, *resourceRow) any) (any, func() error) {
		lazy, check := lazyRows(len(rows), func(i int) any { return rows[i] })
		return lazy.Peeked(func(lo, hi int) iter.Seq2[int, any] { return peekRows(lo, hi, parts) }), check
	}},
}

// lazyRows returns the rows at(0)…at(n-1), made when read, and a check
// that fails when one was read more than once since the last check.
func lazyRows(n int, at func(i int) any) (*jsonapi.Rows, func() error) {
	reads := make([]int, n)
	lazy := jsonapi.NewRows(n, func(i int) any { reads[i]++; return at(i) })
	return lazy, func() error {
		for i, n := range reads {
			if n > 1 {
				return fmt.Errorf("row %d read %d times", i, n)
			}
			reads[i] = 0
		}
		return nil
	}
}

// oddStrings are values a client can send that an encoder must treat with
// care: quotes, escapes, control bytes, U+FFFD itself and invalid UTF-8.
var oddStrings = []string{"", "maxuser", "app", `q"uote`, `back\slash`, "tab\there", "nl\n", "\x01ctl", "é", "\uFFFD",
	"\xff", "bad\xfe\xfdutf8", "\xc3", "ok\xe2\x82", "日本", "/", "a/b", "1", "true", "null"}

func randomString(rng *rand.Rand, values *[]string) string {
	s := oddStrings[rng.IntN(len(oddStrings))]
	if rng.IntN(3) == 0 {
		s += oddStrings[rng.IntN(len(oddStrings))]
	}
	*values = append(*values, s)
	return s
}

// randomSnapshot is a session in a random state; Memo is its own.
func randomSnapshot(rng *rand.Rand, id int, values *[]string) session.Snapshot {
	services := []string{"RW-Split-Router", "Read-Connection-Router"}
	s := session.Snapshot{
		ID: fmt.Sprint(id), Service: services[rng.IntN(2)], State: session.State(rng.IntN(3)),
		User: randomString(rng, values), Remote: "10.0.0." + fmt.Sprint(id), Port: rng.IntN(65536),
		Thread:    rng.IntN(4),
		Connected: time.Unix(1_700_000_000+rng.Int64N(1e6), 0),
		// The clock's members: equal for both renderings of one snapshot.
		SecondsAlive: rng.Float64() * 1000, Idle: float64(rng.IntN(100)) / 10, IOActivity: rng.IntN(50),
		Parameters: map[string]bool{"log_info": rng.IntN(2) == 0, "log_debug": rng.IntN(2) == 0},
		Memo:       &atomic.Value{},
	}
	if rng.IntN(4) > 0 {
		s.ConnectionAttributes = map[string]string{}
		for range rng.IntN(5) {
			s.ConnectionAttributes[randomString(rng, values)] = randomString(rng, values)
		}
		s.ConnectionAttributes["_os"] = randomString(rng, values)
	}
	for i := range rng.IntN(3) {
		s.Backends = append(s.Backends, session.Backend{ConnectionID: uint64(i + 1), Server: randomString(rng, values)})
	}
	if rng.IntN(2) == 0 {
		s.History = &session.History{Len: rng.IntN(5), StoredResponses: rng.IntN(5)}
	}
	for range rng.IntN(3) {
		s.Filters = append(s.Filters, randomString(rng, values))
	}
	for range rng.IntN(3) {
		s.Log = append(s.Log, randomString(rng, values))
	}
	for range rng.IntN(3) {
		q := session.Query{Command: "COM_QUERY", Statement: randomString(rng, values), Received: s.Connected}
		if rng.IntN(2) == 0 {
			q.Completed, q.Server, q.Duration = s.Connected.Add(time.Millisecond), randomString(rng, values), time.Millisecond
		}
		s.Queries = append(s.Queries, q)
	}
	s.Memory.Total = rng.IntN(1 << 20)
	return s
}

// Paths of a session resource (and ones it lacks) for fields, pointers and
// JSONPath filters.
var (
	fieldPaths = []string{"user", "state", "remote", "idle", "seconds_alive", "client", "client/connection_attributes",
		"client/connection_attributes/_os", "client/cipher", "connections", "connections/server", "memory/total",
		"memory/connection_buffers/client", "parameters/log_info", "log", "queries", "nope", "nope/deeper", "/",
		"services", "services/data", "filters/links/self", "services/links", "user/deeper"}
	pointers = []string{"/attributes/user", "/attributes/state", "/id", "/type", "/attributes/client/connection_attributes/_os",
		"/attributes/connections/0/server", "/attributes/connections/1/connection_id", "/relationships/services/data/0/id",
		"/relationships/filters/data/0/id", "/attributes/parameters/log_info", "/attributes/log/0", "/attributes/idle",
		"/attributes/memory/total", "/attributes/client", "/attributes/queries/0/statement", "/links/self", "/attributes/nope",
		"attributes//user", "/attributes/client/cipher", "/attributes/seconds_alive", "/attributes/io_activity", "/attributes/remote"}
	jsonPaths = []string{"attributes.user", "relationships.services.data[*].id", "relationships.filters.data[0].id",
		"attributes.connections[*].server", "attributes.client.connection_attributes._os", "attributes.log[*]",
		"attributes.*", "attributes['user']", "attributes.queries[0,1].statement", "$.id", "attributes.client.*",
		"attributes.idle", "attributes.seconds_alive"}
	operators = []string{"eq", "ne", "lt", "gt", "le", "ge"}
)

// randomQuery is a query string of fields, filters and a page, each
// sometimes, with expressions that compare with values the sessions hold.
func randomQuery(rng *rand.Rand, values []string) string {
	value := func() string {
		switch rng.IntN(6) {
		case 0:
			return fmt.Sprint(rng.IntN(10))
		case 1:
			return []string{"true", "false", "null", "1.5", "{}", "[]"}[rng.IntN(6)]
		}
		s := values[rng.IntN(len(values))]
		var b strings.Builder
		b.WriteByte('"')
		for i := 0; i < len(s); i++ { // JSON text; invalid UTF-8 stays as bytes
			switch c := s[i]; {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < 0x20:
				fmt.Fprintf(&b, `\u%04x`, c)
			default:
				b.WriteByte(c)
			}
		}
		b.WriteByte('"')
		return b.String()
	}
	expr := func() string {
		e := operators[rng.IntN(len(operators))] + "(" + value() + ")"
		if rng.IntN(4) == 0 {
			e = []string{"and", "or", "not"}[rng.IntN(3)] + "(" + e + ")"
		}
		return e
	}
	// A connection attribute's key, which may need escaping (or hold a
	// '/' or ',' that the query language splits on).
	attrKey := func() string { return values[rng.IntN(len(values))] }
	var parts []string
	if rng.IntN(2) == 0 {
		var fields []string
		for range 1 + rng.IntN(3) {
			fields = append(fields, fieldPaths[rng.IntN(len(fieldPaths))])
			if rng.IntN(4) == 0 {
				fields = append(fields, "client/connection_attributes/"+attrKey())
			}
		}
		parts = append(parts, "fields%5Bsessions%5D="+url.QueryEscape(strings.Join(fields, ",")))
	}
	if rng.IntN(2) == 0 {
		ptr := pointers[rng.IntN(len(pointers))]
		if rng.IntN(4) == 0 {
			ptr = "/attributes/client/connection_attributes/" + attrKey()
		}
		parts = append(parts, "filter="+url.QueryEscape(ptr+"="+expr()))
	}
	if rng.IntN(3) == 0 {
		path := jsonPaths[rng.IntN(len(jsonPaths))]
		if rng.IntN(4) == 0 {
			path = "attributes.client.connection_attributes['" + attrKey() + "']"
		}
		parts = append(parts, "filter%5B"+url.QueryEscape(path)+"%5D="+url.QueryEscape(expr()))
	}
	if rng.IntN(3) == 0 {
		parts = append(parts, fmt.Sprintf("page%%5Bsize%%5D=%d&page%%5Bnumber%%5D=%d", 1+rng.IntN(4), rng.IntN(3)))
	}
	rng.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	return strings.Join(parts, "&")
}
