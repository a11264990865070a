package simulator

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mxharness/mxharness/simulator/jsonapi"
)

// TestClockFreeBodies: the body of a collection GET whose fieldset reads
// none of the clock's members is kept (docCache) and served again while no
// session changes. Each body must be the one a fresh rendering gives — a
// query with a parameter no one reads, which is never kept under the same
// key — after each kind of change a row can show, and the clock's
// movement must not change it. Bodies that may show the clock are not
// kept.
func TestClockFreeBodies(t *testing.T) {
	s := startSim(t, nil)
	s.clock.Freeze()
	synthetic := func(user string) string {
		return s.synthetic(t, user, map[string]string{"_client_name": "libmariadb"})
	}
	get := func(query string) response { return s.getOK(t, "/v1/sessions"+query) }
	renders := 0
	fresh := func(query string) []byte {
		t.Helper()
		renders++
		return get(fmt.Sprintf("%s&unread=%d", query, renders)).body
	}
	const query = "?fields[sessions]=user,state,parameters,client/connection_attributes/_client_name"
	id := synthetic("app")
	synthetic("other")

	first := get(query)
	if want := fresh(query); !bytes.Equal(first.body, want) {
		t.Fatalf("first body differs from a fresh rendering:\n%s\nwant\n%s", first.body, want)
	}
	eventually(t, "the body is kept", func() bool { return holds(s.Server, first.body) })
	again := get(query)
	if !bytes.Equal(again.body, first.body) {
		t.Errorf("second body differs from the first:\n%s\nwant\n%s", again.body, first.body)
	}
	s.clock.Advance(time.Minute)
	later := get(query)
	if !bytes.Equal(later.body, first.body) {
		t.Errorf("the clock changed a clock-free body:\n%s\nwas\n%s", later.body, first.body)
	}
	if later.header.Get("ETag") == first.header.Get("ETag") {
		t.Errorf("the tag stayed %s while the clock ran (etag-changes-on-every-get)", later.header.Get("ETag"))
	}

	// MaxScale answers a stale If-None-Match with the document unshaped
	// (jsonapi.AsIs): that body is not the query's.
	stale := s.api(t, "GET", "/v1/sessions"+query, "", "If-None-Match", `"stale"`)
	if bytes.Equal(stale.body, first.body) || holds(s.Server, stale.body) {
		t.Errorf("a stale If-None-Match: the unshaped body was kept, or the shaped one sent (%d bytes)", len(stale.body))
	}
	if got := get(query).body; !bytes.Equal(got, first.body) {
		t.Errorf("after a stale If-None-Match: body\n%s\nwant\n%s", got, first.body)
	}

	var other string
	for _, step := range []struct {
		name, shows string
		change      func()
	}{
		{"a PATCH", `"log_info": true`, func() {
			wantStatus(t, "PATCH", s.api(t, "PATCH", "/v1/sessions/"+id,
				`{"data":{"attributes":{"parameters":{"log_info":true}}}}`), http.StatusOK, "")
		}},
		{"a new session", `"user": "newcomer"`, func() { other = synthetic("newcomer") }},
		{"a killed session", "", func() {
			wantStatus(t, "DELETE", s.api(t, "DELETE", "/v1/sessions/"+other, ""), http.StatusOK, "")
		}},
	} {
		before := get(query).body
		step.change()
		after := get(query).body
		if bytes.Equal(after, before) {
			t.Errorf("%s: the body did not change", step.name)
		}
		if want := fresh(query); !bytes.Equal(after, want) {
			t.Errorf("%s: body differs from a fresh rendering:\n%s\nwant\n%s", step.name, after, want)
		}
		if step.shows != "" && !strings.Contains(string(after), step.shows) {
			t.Errorf("%s: body does not show %s:\n%s", step.name, step.shows, after)
		}
	}

	// A real client's query moves the version: the client's own session
	// shows in the next body.
	s.clock.Unfreeze()
	conn, clientID := s.dial(t, "RW-Split-Router")
	queryInt(t, conn, "SELECT 1")
	withClient := get(query).body
	if !strings.Contains(string(withClient), `"id": "`+clientID+`"`) {
		t.Errorf("the real client's session %s is not in the body:\n%s", clientID, withClient)
	}

	for _, q := range []string{
		"?fields[sessions]=user,idle",                                // the clock's member
		"?fields[sessions]=/",                                        // all of attributes
		"?fields[sessions]=user&filter=/attributes/user=%22app%22",   // a filter
		"?fields[sessions]=user,remote",                              // laid over as the clock's are
		"?fields[sessions]=",                                         // no fieldset at all
		"?fields[services]=user",                                     // another type's
		"?fields[sessions]=client/connection_attributes&pretty=true", // kept, for contrast
	} {
		body := get(q).body
		kept := strings.HasSuffix(q, "pretty=true")
		if kept {
			eventually(t, q+" is kept", func() bool { return holds(s.Server, body) })
		} else if holds(s.Server, body) {
			t.Errorf("GET /v1/sessions%s: body kept, but it may show the clock", q)
		}
	}
}

// TestKeptPages: the body of a page, which shows the clock's members, is
// kept with those values as holes (keptBody) and written again with the
// values of the moment. Each body must be the one a fresh rendering gives
// as the clock moves idle, seconds_alive and io_activity without moving
// the version, after a real client's query, and after a change. It is
// sent with a Content-Length, as MaxScale sends every body, and a
// collection too large for its holes to be kept is not kept.
func TestKeptPages(t *testing.T) {
	s := startSim(t, nil)
	s.clock.Freeze()
	for _, user := range []string{"app", "ops", "other", "app"} {
		s.synthetic(t, user, map[string]string{"_client_name": "libmariadb"})
	}
	conn, clientID := s.dial(t, "RW-Split-Router")
	renders := 0
	fresh := func(query string) []byte {
		t.Helper()
		renders++
		return s.getOK(t, fmt.Sprintf("/v1/sessions%s&unread=%d", query, renders)).body
	}
	check := func(when, query string) response {
		t.Helper()
		got := s.getOK(t, "/v1/sessions"+query)
		if want := fresh(query); !bytes.Equal(got.body, want) {
			t.Fatalf("%s: ?%s differs from a fresh rendering:\n%s\nwant\n%s", when, query, got.body, want)
		}
		if cl := got.header.Get("Content-Length"); cl != strconv.Itoa(len(got.body)) {
			t.Errorf("%s: ?%s: Content-Length %q for %d bytes", when, query, cl, len(got.body))
		}
		return got
	}
	for _, query := range []string{"?page[size]=2&page[number]=2", "?pretty=false", "?page[size]=100"} {
		first := check("first", query)
		eventually(t, query+" is kept", func() bool { return holds(s.Server, first.body) })
		s.clock.Advance(1500 * time.Millisecond)
		if moved := check("the clock moved", query); bytes.Equal(moved.body, first.body) {
			t.Errorf("?%s: the body did not follow the clock:\n%s", query, moved.body)
		}
	}

	const query = "?page[size]=5"
	ioActivity := func(r response) float64 {
		for _, row := range r.json(t)["data"].([]any) {
			if row := row.(map[string]any); row["id"] == clientID {
				return num(t, attr(row, "io_activity"))
			}
		}
		t.Fatalf("session %s is not on the page:\n%s", clientID, r.body)
		return 0
	}
	queryInt(t, conn, "SELECT 1") // moves the version; io_activity shows it
	if n := ioActivity(check("after a query", query)); n == 0 {
		t.Errorf("the client's query does not show in its io_activity")
	}
	s.clock.Advance(time.Minute) // io_activity falls back, the version stays
	if n := ioActivity(check("a minute later", query)); n != 0 {
		t.Errorf("a minute after the query, io_activity is still %v", n)
	}
	wantStatus(t, "PATCH", s.api(t, "PATCH", "/v1/sessions/"+clientID,
		`{"data":{"attributes":{"parameters":{"log_info":true}}}}`), http.StatusOK, "")
	if patched := check("after a PATCH", query); !strings.Contains(string(patched.body), `"log_info": true`) {
		t.Errorf("the PATCH does not show:\n%s", patched.body)
	}

	for range keptRows - 4 {
		s.synthetic(t, "many", nil)
	}
	if body := check("over keptRows sessions", "?").body; holds(s.Server, body) {
		t.Errorf("a collection of %d sessions was kept the first time it was asked for", keptRows+1)
	}
	if body := check("over keptRows sessions, again", "?").body; !holds(s.Server, body) {
		t.Errorf("a collection of %d sessions was not kept the second time it was asked for", keptRows+1)
	}
	if body := check("a page of them", "?page[size]=256").body; !holds(s.Server, body) {
		t.Errorf("a page of %d sessions was not kept", keptRows)
	}
}

// TestKeptLargeCollections: a collection body of more than streamFrom
// bytes is kept packed in blocks the second time it is asked for, and
// sent streamed from them: each GET must be what a fresh rendering gives
// as the clock moves and after a change, with every block's holes filled
// from the right rows.
func TestKeptLargeCollections(t *testing.T) {
	s := startSim(t, nil)
	s.clock.Freeze()
	for i := range 450 {
		s.synthetic(t, fmt.Sprintf("user%d", i%7), map[string]string{"_client_name": "libmariadb"})
	}
	renders := 0
	check := func(when string) []byte {
		t.Helper()
		got := s.getOK(t, "/v1/sessions")
		renders++
		if want := s.getOK(t, fmt.Sprintf("/v1/sessions?unread=%d", renders)).body; !bytes.Equal(got.body, want) {
			t.Fatalf("%s: the body differs from a fresh rendering (%d and %d bytes)", when, len(got.body), len(want))
		}
		return got.body
	}
	check("first")
	body := check("second")
	if len(body) <= streamFrom {
		t.Fatalf("450 sessions make %d bytes, not more than streamFrom", len(body))
	}
	packed := 0
	s.Server.docs.Each(func(_ string, k *keptBody) {
		if k.packed {
			packed = len(k.blocks)
		}
	})
	if packed < 2 {
		t.Fatalf("the body is kept in %d packed blocks, want several", packed)
	}
	for step := range 3 {
		s.clock.Advance(1250 * time.Millisecond)
		if moved := check(fmt.Sprintf("the clock moved (%d)", step)); bytes.Equal(moved, body) {
			t.Errorf("the kept body did not follow the clock")
		}
	}
	wantStatus(t, "PATCH", s.api(t, "PATCH", "/v1/sessions/"+strconv.Itoa(300),
		`{"data":{"attributes":{"parameters":{"log_info":true}}}}`), http.StatusOK, "")
	check("after a PATCH")
	check("after a PATCH, again")
	check("after a PATCH, kept")
}

// holds reports whether srv keeps body, under any key of the registry's
// version (collectionKey): a body filled with the clock's values of now.
func holds(srv *Server, body []byte) bool {
	view := srv.reg.View()
	version := strconv.FormatUint(view.Version, 10) + " "
	kept := false
	srv.docs.Each(func(key string, k *keptBody) {
		if k == seenOnce || !strings.HasPrefix(key, version) {
			return
		}
		filled, err := k.whole, error(nil)
		if filled == nil {
			filled, err = k.fill(nil, view, nil)
		}
		kept = kept || err == nil && bytes.Equal(filled, body)
	})
	return kept
}

// TestRememberedMatches: at one registry version, a filter whose verdicts
// read frozen parts only makes the rows it kept before (jsonapi.Matches).
// What it keeps must follow every change of the rows — a PATCH of the
// filtered member, a new and a killed session — and a filter on a member
// the clock moves must follow the clock, which does not move the version.
func TestRememberedMatches(t *testing.T) {
	s := startSim(t, nil)
	s.clock.Freeze()
	synthetic := func(user string) string { return s.synthetic(t, user, nil) }
	ids := func(query string) string { return s.listIDs(t, query) }
	const logInfo = "filter=/attributes/parameters/log_info=eq(true)"
	const named = "filter[attributes.user]=eq(%22app%22)"
	ida, idb := synthetic("app"), synthetic("app")
	a, b := &ida, &idb
	other := synthetic("other")
	patch := func(id *string, on bool) {
		t.Helper()
		wantStatus(t, "PATCH", s.api(t, "PATCH", "/v1/sessions/"+*id,
			fmt.Sprintf(`{"data":{"attributes":{"parameters":{"log_info":%v}}}}`, on)), http.StatusOK, "")
	}
	var c string
	for _, step := range []struct {
		name           string
		change         func()
		logInfo, named func() []string
	}{
		{"at first", func() {}, none, list(a, b)},
		{"nothing changed", func() {}, none, list(a, b)},
		{"a PATCH", func() { patch(a, true) }, list(a), list(a, b)},
		{"another PATCH", func() { patch(b, true) }, list(a, b), list(a, b)},
		{"a PATCH back", func() { patch(a, false) }, list(b), list(a, b)},
		{"a new session", func() { c = synthetic("app"); patch(&c, true) }, list(b, &c), list(a, b, &c)},
		{"a killed session", func() {
			wantStatus(t, "DELETE", s.api(t, "DELETE", "/v1/sessions/"+*b, ""), http.StatusOK, "")
		}, list(&c), list(a, &c)},
	} {
		step.change()
		for range 2 { // the second GET reads what the first kept
			if got, want := ids(logInfo), strings.Join(step.logInfo(), ","); got != want {
				t.Errorf("%s: %s kept %q, want %q", step.name, logInfo, got, want)
			}
			if got, want := ids(named), strings.Join(step.named(), ","); got != want {
				t.Errorf("%s: %s kept %q, want %q", step.name, named, got, want)
			}
		}
	}

	// seconds_alive moves with the clock, not the version (a real: an
	// integer never compares with it).
	const alive = "filter=/attributes/seconds_alive=gt(30.0)"
	if got := ids(alive); got != "" {
		t.Errorf("at once: %s kept %q, want none", alive, got)
	}
	s.clock.Advance(time.Minute)
	if got, want := ids(alive), *a+","+other+","+c; got != want {
		t.Errorf("a minute later: %s kept %q, want %q", alive, got, want)
	}
}

// list returns the ids the pointers point at when it is called.
func list(ids ...*string) func() []string {
	return func() []string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = *id
		}
		return out
	}
}

func none() []string { return nil }

// TestKeptBodiesFollowRandomChanges drives random changes — PATCHes, new
// and killed sessions, the clock — between random GETs that the kept
// bodies and remembered matches answer, and compares each answer with a
// fresh one: a fieldset's body with the same query plus a parameter no
// one reads (another key), a filter's sessions with the filter applied
// here to the whole collection (which nothing keeps: no fieldset, no
// filter).
func TestKeptBodiesFollowRandomChanges(t *testing.T) {
	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	t.Logf("seed %d", seed)
	s := startSim(t, nil)
	s.clock.Freeze()
	users := []string{"app", "ops", "other"}
	var ids []string
	create := func() {
		ids = append(ids, s.synthetic(t, users[rng.IntN(len(users))], map[string]string{"_client_name": users[rng.IntN(len(users))]}))
	}
	for range 12 {
		create()
	}
	fieldsets := []string{
		"fields[sessions]=user",
		"fields[sessions]=user,parameters",
		"fields[sessions]=client/connection_attributes,state&page[size]=5&page[number]=1",
		"page[size]=5&page[number]=1", // kept with the clock's values as holes
		"pretty=false",
	}
	filters := []struct {
		query string
		keeps func(row map[string]any) bool
	}{
		{"filter=/attributes/user=eq(%22app%22)", func(row map[string]any) bool { return attr(row, "user") == "app" }},
		{"filter[attributes.parameters.log_info]=eq(true)", func(row map[string]any) bool { return attr(row, "parameters", "log_info") == true }},
		{"filter=/attributes/seconds_alive=gt(2.0)", // the clock's: never remembered
			func(row map[string]any) bool { return num(t, attr(row, "seconds_alive")) > 2 }},
		{"filter=/attributes/parameters/log_info=eq(false)&fields[sessions]=user", func(row map[string]any) bool {
			return attr(row, "parameters", "log_info") == false
		}},
	}
	for step := range 150 {
		switch c := rng.IntN(6); {
		case c == 0 && len(ids) > 0:
			i := rng.IntN(len(ids))
			wantStatus(t, "DELETE", s.api(t, "DELETE", "/v1/sessions/"+ids[i], ""), http.StatusOK, "")
			ids = slices.Delete(ids, i, i+1)
		case c == 1:
			create()
		case c == 2:
			s.clock.Advance(time.Second)
		case len(ids) > 0:
			wantStatus(t, "PATCH", s.api(t, "PATCH", "/v1/sessions/"+ids[rng.IntN(len(ids))],
				fmt.Sprintf(`{"data":{"attributes":{"parameters":{"log_info":%v}}}}`, rng.IntN(2) == 0)), http.StatusOK, "")
		}
		q := fieldsets[rng.IntN(len(fieldsets))]
		f := filters[rng.IntN(len(filters))]
		for i := range 2 { // the second GET reads what the first kept
			if got, want := s.getOK(t, "/v1/sessions?"+q).body, s.getOK(t, fmt.Sprintf("/v1/sessions?%s&unread=%d", q, 2*step+i)).body; !bytes.Equal(got, want) {
				t.Fatalf("step %d: ?%s differs from a fresh rendering:\n%s\nwant\n%s", step, q, got, want)
			}
			var want []string
			for _, row := range s.getOK(t, "/v1/sessions").json(t)["data"].([]any) {
				if row := row.(map[string]any); f.keeps(row) {
					want = append(want, row["id"].(string))
				}
			}
			if got := s.listIDs(t, f.query); got != strings.Join(want, ",") {
				t.Fatalf("step %d, GET %d: ?%s kept %q, want %q", step, i+1, f.query, got, strings.Join(want, ","))
			}
			if rng.IntN(2) == 0 {
				s.clock.Advance(time.Second) // moves seconds_alive, not the version
			}
		}
	}
}

// TestKeptBodyHolesAreTheRowsClocks: a body is kept with holes only when
// its holes are exactly the clock's members of the rows it was made of,
// in order, and a clock-free fieldset's only without holes; remote, which
// the clock does not move, is left as written. A row whose clock's values
// were written as plain values (a shaping that copied them) would
// otherwise be kept with those values frozen, and a value from elsewhere
// filled from the wrong row.
func TestKeptBodyHolesAreTheRowsClocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var values []string
	made := &madeRows{}
	var rows []any
	for i := range 3 {
		snap := randomSnapshot(rng, i+1, &values)
		res, r := sessionRow(&snap, "http://127.0.0.1:8989/v1/", func(s string) string { return s }, nil)
		made.add(i, r)
		rows = append(rows, res)
	}
	keep := func(rows []any) *keptBody {
		body, holes := jsonapi.MarshalHoles(map[string]any{"data": rows}, true)
		return made.keep(body, holes)
	}
	k := keep(rows)
	if k == nil || len(k.blocks) != 1 || len(k.blocks[0].holes) != 9 {
		t.Fatalf("three whole rows: kept %+v, want one block of 9 holes (remote stays written)", k)
	}
	for i, h := range k.blocks[0].holes {
		if h.index != int32(i/3) || h.member != []uint8{idleMember, ioActivityMember, secondsAliveMember}[i%3] {
			t.Errorf("hole %d: %+v, want session %d member %d", i, h, i/3, []uint8{idleMember, ioActivityMember, secondsAliveMember}[i%3])
		}
	}
	plain := slices.Clone(rows)
	tree, err := jsonapi.Decode(jsonapi.Marshal(rows[1], false)) // the clock's values copied
	if err != nil {
		t.Fatal(err)
	}
	plain[1] = tree
	if k := keep(plain); k != nil {
		t.Errorf("a row with plain clock values was kept: %+v", k)
	}
	swapped := []any{rows[0], rows[2], rows[1]}
	if k := keep(swapped); k != nil {
		t.Errorf("rows out of their order were kept")
	}
	if k := keep(nil); k != nil {
		t.Errorf("rows whose clock's values are not holes were kept")
	}
	made.clockFree = true // a fieldset without the clock's members
	if k := keep(nil); k == nil || k.blocks != nil {
		t.Errorf("a clock-free body: kept %+v, want it whole", k)
	}
	if k := keep(rows); k != nil {
		t.Errorf("a clock-free body with holes was kept")
	}
}

// TestKeptKeyBounds: which collection GETs have a key to keep their body
// under. A body that shows the clock is kept up to keptMostRows rows (a
// page of them, too), never with a filter or a fieldset that selects a
// clock member; a clock-free fieldset is kept at any size. Past the bound
// a GET all would be encoded whole (60 MB at 20,000) to be kept.
func TestKeptKeyBounds(t *testing.T) {
	srv := manySessions(t, keptMostRows+1)
	view := srv.reg.View()
	for _, tc := range []struct {
		query     string
		kept      bool
		clockFree bool
		rows      int
	}{
		{"", false, false, 0},
		{"page[size]=" + strconv.Itoa(keptMostRows), true, false, keptMostRows},
		{"page[size]=100", true, false, 100},
		{"fields[sessions]=user,idle&page[size]=10", false, false, 0},
		{"fields[sessions]=user,state", true, true, keptMostRows + 1},
		{"filter=/attributes/user=%22app%22&page[size]=10", false, false, 0},
	} {
		r := httptest.NewRequest(http.MethodGet, "/v1/sessions?"+tc.query, nil)
		q := &request{r: r, query: jsonapi.ParseQuery(r.URL.RawQuery), base: linkBase(r)}
		key, clockFree, rows := keptKey(view, q)
		if (key != "") != tc.kept || clockFree != tc.clockFree || rows != tc.rows {
			t.Errorf("?%s: key %q, clock-free %v, %d rows; want kept %v, clock-free %v, %d rows",
				tc.query, key, clockFree, rows, tc.kept, tc.clockFree, tc.rows)
		}
	}
	r := httptest.NewRequest(http.MethodHead, "/v1/sessions?page[size]=10", nil)
	if key, _, _ := keptKey(view, &request{r: r, query: jsonapi.ParseQuery(r.URL.RawQuery), base: linkBase(r)}); key != "" {
		t.Errorf("a HEAD has a key to keep a body under: %q", key)
	}
}
