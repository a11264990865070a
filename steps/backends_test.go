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

// "the client starts the query" goes on only once the target shows the
// session busy (idle 0) after it was quiet (idle above 0): a query answered
// at once, as MaxScale's cache filter answered a repeated SELECT SLEEP(5),
// leaves idle growing, and the step fails instead of letting a change meet
// an idle session.
func TestStartedQueryMeetsABusySession(t *testing.T) {
	for _, tc := range []struct {
		name    string
		idle    []string // answered in turn, the last one from then on
		wantErr bool
	}{
		{"running", []string{"0.0", "0.1", "0.0"}, false},
		{"answered at once", []string{"0.0", "0.1", "0.2", "0.3"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gets atomic.Int32
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i := min(int(gets.Add(1))-1, len(tc.idle)-1)
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"data":{"id":"7","attributes":{"idle":` + tc.idle[i] + `}}}`))
			}))
			t.Cleanup(ts.Close)
			s := newScenario(&runner{target: Target{APIURL: ts.URL, User: "admin", Password: "mariadb"}, httpClient: ts.Client()})
			c := &sqlClient{name: "app", id: "7"}
			s.awaitQuiet(t.Context(), c)
			if n := gets.Load(); n != 2 {
				t.Errorf("awaitQuiet returned after %d GETs, want 2 (idle 0, then 0.1)", n)
			}
			err := s.awaitRunning(t.Context(), c, "SELECT SLEEP(5)")
			if (err != nil) != tc.wantErr {
				t.Errorf("awaitRunning: %v, want error %v", err, tc.wantErr)
			}
		})
	}
}
