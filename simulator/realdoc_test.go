package simulator

import (
	"path/filepath"
	"testing"

	"github.com/mxharness/mxharness/internal/capture"
)

// realReleases name the captures the test compares with, each with the
// profile of its release line: the documents `mxharness capture` took on a
// real MaxScale built from source (scripts/maxscale-from-source.sh).
var realReleases = []struct{ dir, profile string }{
	{"observed-24.02", "maxscale-24.02"},
	{"observed-23.08", "maxscale-23.08"},
	{"observed-24.08", "maxscale-24.08"},
}

// TestDocumentsMatchRealMaxScale compares the simulator's session and list
// documents, in the profile of each captured release, with that real
// MaxScale's, taken the same way (capture.Take), path for path and JSON type
// for type (values differ: ids, times, counters).
func TestDocumentsMatchRealMaxScale(t *testing.T) {
	for _, rel := range realReleases {
		t.Run(rel.dir, func(t *testing.T) { documentsMatch(t, rel.dir, rel.profile) })
	}
}

func documentsMatch(t *testing.T, realRelease, profile string) {
	want, err := capture.Read(filepath.Join("testdata", realRelease))
	if err != nil {
		t.Fatal(err)
	}
	s := startSim(t, nil, WithProfile(profile))
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
