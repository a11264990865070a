package simulator

import (
	"net/http"
	"testing"
	"time"

	"github.com/mxharness/mxharness/simulator/jsonapi"
)

// TestCollectionETag: in the default profile the collection's ETag comes
// from the registry's version and the clock reading (collectionTag), not
// from the rows. With the clock stopped, it must stay while nothing a row
// shows changes, whatever the query shapes, and change with each thing
// that does: the clock, a PATCH, a session that comes or goes, a client's
// query. An empty collection keeps MaxScale's tag of its body.
//
// The steps that must leave the tag as it is run on synthetic sessions: a
// real client's socket moves the version by itself (the simulator records
// the I/O of a reply after writing it, so after the client has read it),
// which only the last step, a client's query, may see.
func TestCollectionETag(t *testing.T) {
	s := startSim(t, nil)
	tag := func(query string) string {
		t.Helper()
		r := s.api(t, "GET", "/v1/sessions"+query, "")
		if r.status != http.StatusOK {
			t.Fatalf("GET /v1/sessions%s: status %d", query, r.status)
		}
		return r.header.Get("ETag")
	}
	synthetic := func(user string) string { return s.synthetic(t, user, nil) }
	s.clock.Freeze()
	empty := tag("")
	s.clock.Advance(time.Second)
	if got := tag(""); got != empty {
		t.Errorf("the empty collection's tag changed with the clock: %s, was %s", got, empty)
	}
	if want := jsonapi.ETagOf(map[string]any{"data": []any{},
		"links": map[string]any{"self": s.APIURL + "/v1/sessions/"}}); empty != want {
		t.Errorf("empty collection: ETag %s, want the body's %s", empty, want)
	}

	id := synthetic("app")
	var other string
	for _, step := range []struct {
		name    string
		change  func()
		changes bool
	}{
		{"nothing", func() {}, false},
		{"nothing, again", func() {}, false},
		{"the clock", func() { s.clock.Advance(time.Millisecond) }, true},
		{"a PATCH", func() {
			wantStatus(t, "PATCH", s.api(t, "PATCH", "/v1/sessions/"+id,
				`{"data":{"attributes":{"parameters":{"log_info":true}}}}`), http.StatusOK, "")
		}, true},
		{"a new session", func() { other = synthetic("other") }, true},
		{"a killed session", func() {
			wantStatus(t, "DELETE", s.api(t, "DELETE", "/v1/sessions/"+other, ""), http.StatusOK, "")
		}, true},
	} {
		before := tag("")
		step.change()
		after := tag("")
		if changed := after != before; changed != step.changes {
			t.Errorf("%s: tag %s -> %s, want changed %v", step.name, before, after, step.changes)
		}
		// MaxScale's tag covers the document before fields, filter and
		// page: the shaped answers have the same one.
		for _, q := range []string{"?page[size]=1", "?fields[sessions]=user", "?filter=/attributes/user=%22nobody%22"} {
			if got := tag(q); got != after {
				t.Errorf("%s: GET %s has tag %s, the whole collection %s", step.name, q, got, after)
			}
		}
		wantStatus(t, step.name+": If-None-Match current", s.api(t, "GET", "/v1/sessions", "", "If-None-Match", after), http.StatusNotModified, "")
		if step.changes {
			if r := s.api(t, "GET", "/v1/sessions", "", "If-None-Match", before); r.status != http.StatusOK {
				t.Errorf("%s: If-None-Match with the tag before: status %d, want 200", step.name, r.status)
			}
		}
	}

	conn, _ := s.dial(t, "Read-Connection-Router")
	before := tag("")
	queryInt(t, conn, "SELECT 1")
	if after := tag(""); after == before {
		t.Errorf("a client's query: tag %s unchanged", after)
	}
}

// TestDocumentedCollectionETag: the documented profile's collection tag
// hashes the rows without their volatile members, so it stays while the
// clock runs and clients query, and changes with a PATCH.
func TestDocumentedCollectionETag(t *testing.T) {
	s := startSim(t, nil, WithProfile(ProfileDocumented))
	conn, id := s.dial(t, "RW-Split-Router")
	tag := func() string { return s.api(t, "GET", "/v1/sessions", "").header.Get("ETag") }
	before := tag()
	s.clock.Advance(time.Second)
	queryInt(t, conn, "SELECT 1")
	if got := tag(); got != before {
		t.Errorf("tag changed without a modification: %s -> %s", before, got)
	}
	wantStatus(t, "PATCH", s.api(t, "PATCH", "/v1/sessions/"+id,
		`{"data":{"attributes":{"parameters":{"log_info":true}}}}`), http.StatusNoContent, "")
	if got := tag(); got == before {
		t.Error("tag unchanged after a PATCH")
	}
}
