package steps

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/mxharness/mxharness/internal/capture"
)

// observedBody is the response body of a transcript under testdata/.
func observedBody(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	body, err := capture.TranscriptBody(raw)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return bytes.Clone(body)
}

// TestConnectWaitsForTheBackends replays what real MaxScale 24.02 answered
// right after a client connected (its backend connection still connecting,
// connection_id 0) and then: a connected client's session is settled before
// the scenario goes on, so the ids it notes are the connection's real ones.
// Before, a restart scenario compared 0 with the later id and took it for a
// new connection, and a filter change made at once was deferred by MaxScale
// (the session was busy connecting).
func TestConnectWaitsForTheBackends(t *testing.T) {
	connecting := observedBody(t, "observed-24.02/001-get-backend-connecting.txt")
	connected := observedBody(t, "observed-24.02/002-get-backend-connected.txt")
	var gets atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if gets.Add(1) <= 2 {
			_, _ = w.Write(connecting)
			return
		}
		_, _ = w.Write(connected)
	}))
	t.Cleanup(ts.Close)
	c, err := newContract()
	if err != nil {
		t.Fatal(err)
	}
	s := newScenario(&runner{target: Target{APIURL: ts.URL, User: "admin", Password: "mariadb"}, httpClient: ts.Client(), contract: c})
	id := regexp.MustCompile(`"id": "(\d+)"`).FindSubmatch(connected)[1]
	s.clients["app"] = &sqlClient{name: "app", id: string(id)}
	s.awaitBackends(t.Context(), s.clients["app"])
	if n := gets.Load(); n != 3 {
		t.Errorf("awaitBackends returned after %d GETs, want 3 (two while connecting, one connected)", n)
	}
	ids, err := s.backendIDs(t.Context(), "app")
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{382}; !slices.Equal(ids, want) {
		t.Errorf("backendIDs = %v, want %v", ids, want)
	}
}
