package simulator

import (
	"bytes"
	"database/sql"
	"testing"
	"time"

	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/jsonapi"
	"github.com/mxharness/mxharness/simulator/session"
)

// TestKeptPartsRenderLikeFreshOnes drives sessions through every kind of
// change a client or the API can make and checks, after each, that the
// resource rendered from the parts kept in a session's memo is exactly
// the resource rendered from scratch — as a row and as the single
// resource, pretty and compact, and read through by fields and filter —
// and that the parts were rebuilt for the session that changed and kept
// while only the clock moved.
func TestKeptPartsRenderLikeFreshOnes(t *testing.T) {
	s := startSim(t, func(c *config.Config) { c.RetainLastStatements = 2; c.SessionTrace = 4 })
	const base = "http://127.0.0.1:8989/v1/"
	rw, rwID := s.dial(t, "RW-Split-Router")
	rc, rcID := s.dial(t, "Read-Connection-Router")
	exec := func(conn *sql.Conn, q string) {
		t.Helper()
		if _, err := conn.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	steps := []struct {
		name    string
		changed string // the session whose parts must be rebuilt; "" for none
		do      func()
	}{
		{"clock only", "", func() { s.clock.Advance(1500 * time.Millisecond) }},
		{"query", rwID, func() { queryInt(t, rw, "SELECT 1") }},
		{"session variable (history)", rwID, func() { exec(rw, "SET @a = 1") }},
		{"query on the other router", rcID, func() { queryInt(t, rc, "SELECT 2") }},
		{"PATCH parameters", rwID, func() {
			s.api(t, "PATCH", "/v1/sessions/"+rwID, `{"data":{"attributes":{"parameters":{"log_info":true}}}}`)
		}},
		{"PATCH filters", rwID, func() {
			s.api(t, "PATCH", "/v1/sessions/"+rwID, `{"data":{"relationships":{"filters":{"data":[{"id":"my-hint-filter"}]}}}}`)
			queryInt(t, rw, "SELECT 3") // filters apply at the next query
		}},
		{"restart", rwID, func() {
			s.api(t, "POST", "/v1/sessions/"+rwID+"/restart", "")
			queryInt(t, rw, "SELECT 4")
		}},
		{"clock only, again", "", func() { s.clock.Advance(3 * time.Second) }},
	}
	kept := map[string]*sessionParts{}
	for _, step := range steps {
		step.do()
		for _, snap := range s.Server.Registry().List() {
			checkRenders(t, step.name, &snap, base)
			parts := partsOf(&snap, base, nil)
			if previous := kept[snap.ID]; previous != nil && (parts != previous) != (snap.ID == step.changed) {
				t.Errorf("%s: session %s parts rebuilt = %v", step.name, snap.ID, parts != previous)
			}
			kept[snap.ID] = parts
		}
	}
	snap, err := s.Server.Registry().Get(rwID)
	if err != nil {
		t.Fatal(err)
	}
	before := partsOf(&snap, base, nil)
	checkRenders(t, "another base", &snap, "http://localhost:8989/v1/")
	if after := partsOf(&snap, "http://localhost:8989/v1/", nil); after == before {
		t.Error("parts kept across a change of base: links would point at the old host")
	}
}

// checkRenders compares what snap renders with its memo (three times:
// keeping new parts, rendering them frozen, reusing their encodings)
// against a render without one read as plain objects, and checks that
// the ETag of both is the same.
func checkRenders(t *testing.T, step string, snap *session.Snapshot, base string) {
	t.Helper()
	ip := func(addr string) string { return addr }
	fresh := *snap
	fresh.Memo = nil
	newParts := sessionResource(&fresh, base, ip, nil)
	want := thawed(newParts)
	for round := range 3 {
		got := sessionResource(snap, base, ip, nil)
		for _, profile := range []func(any) any{func(d any) any { return d }, withoutVolatile} {
			g, w := map[string]any{"data": []any{got}}, map[string]any{"data": []any{newParts}}
			if jsonapi.DigestOf(profile(g)) != jsonapi.DigestOf(profile(w)) {
				t.Fatalf("%s, round %d: session %s has another ETag from its kept parts than from new ones", step, round, snap.ID)
			}
		}
		for _, doc := range []struct{ got, want any }{
			{map[string]any{"data": got}, map[string]any{"data": want}},
			{map[string]any{"data": []any{got}}, map[string]any{"data": []any{want}}},
		} {
			for _, pretty := range []bool{true, false} {
				if g, w := jsonapi.Marshal(doc.got, pretty), jsonapi.Marshal(doc.want, pretty); !bytes.Equal(g, w) {
					t.Fatalf("%s, round %d: session %s renders differently from its kept parts\n got: %s\nwant: %s", step, round, snap.ID, g, w)
				}
			}
			// What the documented profile's ETag hashes.
			if g, w := jsonapi.Marshal(withoutVolatile(doc.got), false), jsonapi.Marshal(withoutVolatile(doc.want), false); !bytes.Equal(g, w) {
				t.Fatalf("%s, round %d: session %s without volatile attributes differs from its kept parts\n got: %s\nwant: %s", step, round, snap.ID, g, w)
			}
			for _, q := range []string{"fields[sessions]=/", "filter=/attributes/client/connection_attributes/_client_name=%22Go-MySQL-Driver%22"} {
				g, _, gerr := jsonapi.Shape(doc.got, jsonapi.ParseQuery(q), jsonapi.Options{})
				w, _, werr := jsonapi.Shape(doc.want, jsonapi.ParseQuery(q), jsonapi.Options{})
				if gerr != nil || werr != nil || !bytes.Equal(jsonapi.Marshal(g, false), jsonapi.Marshal(w, false)) {
					t.Fatalf("%s: %s reads kept parts differently (%v, %v)\n got: %s\nwant: %s", step, q, gerr, werr, jsonapi.Marshal(g, false), jsonapi.Marshal(w, false))
				}
			}
		}
	}
}
