package simulator

import (
	"path/filepath"
	"testing"

	"github.com/mxharness/mxharness/internal/capture"
)

// realRelease names the capture the test compares with: the documents
// `mxharness capture` took on a real MaxScale built from source
// (scripts/maxscale-from-source.sh); a capture of another release goes
// beside it.
const realRelease = "observed-24.02"

// TestDocumentsMatchRealMaxScale compares the simulator's session and list
// documents with a real MaxScale's, taken the same way (capture.Take), path
// for path and JSON type for type (values differ: ids, times, counters).
func TestDocumentsMatchRealMaxScale(t *testing.T) {
	want, err := capture.Read(filepath.Join("testdata", realRelease))
	if err != nil {
		t.Fatal(err)
	}
	s := startSim(t, nil)
	got, err := capture.Take(t.Context(), capture.Target{
		API: s.APIURL, User: "admin", Password: "mariadb",
		RWSplit: s.SQLAddrs["RW-Split-Router"], ReadConn: s.SQLAddrs["Read-Connection-Router"],
		SQLUser: "maxuser", SQLPassword: "maxpwd",
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		ws, err := capture.Shape(w.Body)
		if err != nil {
			t.Fatalf("%s: %v", w.Name, err)
		}
		gs, err := capture.Shape(got[i].Body)
		if err != nil {
			t.Fatalf("simulator's %s: %v", w.Name, err)
		}
		if diff := capture.ShapeDiff(ws, gs); diff != "" {
			t.Errorf("%s (%s): the simulator's document departs from real MaxScale's (%s):\n%s", w.What, w.Name, realRelease, diff)
		}
	}
}
