package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/mxharness/mxharness/internal/capture"
	"github.com/mxharness/mxharness/target"
)

// TestCaptureCommand runs `mxharness capture` against the simulator and
// reads the folder back the way TestDocumentsMatchRealMaxScale reads a real
// MaxScale's capture: the three transcripts, each a 200 whose body has the
// shape of the real 24.02's document of the same name.
func TestCaptureCommand(t *testing.T) {
	sim, stop, err := target.InProcess(t.Context(), "maxscale-24.02")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	dir := filepath.Join(t.TempDir(), "observed-sim")
	var out, errOut bytes.Buffer
	code := run(t.Context(), []string{"capture", "--api", sim.APIURL, "--sql", sim.SQLAddrs["RW-Split-Router"],
		"--sql-rconn", sim.SQLAddrs["Read-Connection-Router"], "--out", dir}, &out, &errOut)
	if code != 0 {
		t.Fatalf("capture exited %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errOut.String())
	}
	got, err := capture.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	real, err := capture.Read(filepath.Join("..", "..", "simulator", "testdata", "observed-24.02"))
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range got {
		if !bytes.Contains(d.Transcript, []byte("\n=== RESPONSE ===\nHTTP/1.1 200 OK\n")) || !strings.Contains(out.String(), d.Name) {
			t.Errorf("%s: no 200 in the transcript, or not reported:\n%s\nstdout:\n%s", d.Name, d.Transcript, out.String())
		}
		gs, err := capture.Shape(d.Body)
		if err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		rs, err := capture.Shape(real[i].Body)
		if err != nil {
			t.Fatalf("%s: %v", real[i].Name, err)
		}
		if diff := capture.ShapeDiff(rs, gs); diff != "" {
			t.Errorf("%s: the captured document is not shaped as the real one:\n%s", d.Name, diff)
		}
	}
	// The sessions are those of the capture's clients: the list has both,
	// and each single document is one of them.
	var list struct{ Data []struct{ ID string } }
	if err := json.Unmarshal(got[2].Body, &list); err != nil || len(list.Data) != 2 {
		t.Fatalf("list: %v, %d sessions, want 2: %s", err, len(list.Data), got[2].Body)
	}
	for _, d := range got[:2] {
		var one struct{ Data struct{ ID string } }
		if err := json.Unmarshal(d.Body, &one); err != nil || (one.Data.ID != list.Data[0].ID && one.Data.ID != list.Data[1].ID) {
			t.Errorf("%s: session %q (%v) is not in the list %v", d.Name, one.Data.ID, err, list.Data)
		}
	}
}

// TestCaptureCommandRefuses: missing flags are a usage error (2); a target
// with other sessions is a failure (1), not a capture of the wrong list.
func TestCaptureCommandRefuses(t *testing.T) {
	for _, args := range [][]string{{}, {"--api", "http://127.0.0.1:1", "--sql", "x:1", "--sql-rconn", "y:1"}, {"--out", "d", "extra"}} {
		var out, errOut bytes.Buffer
		if code := run(t.Context(), append([]string{"capture"}, args...), &out, &errOut); code != 2 {
			t.Errorf("capture %v exited %d, want 2 (stderr %s)", args, code, errOut.String())
		}
	}
	sim, stop, err := target.InProcess(t.Context(), "maxscale-24.02")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd, cfg.Net, cfg.Addr = sim.SQLUser, sim.SQLPassword, "tcp", sim.SQLAddrs["RW-Split-Router"]
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	if err := db.PingContext(t.Context()); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run(t.Context(), []string{"capture", "--api", sim.APIURL, "--sql", sim.SQLAddrs["RW-Split-Router"],
		"--sql-rconn", sim.SQLAddrs["Read-Connection-Router"], "--out", t.TempDir()}, &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "other sessions") {
		t.Errorf("capture with another client connected exited %d, want 1 saying so; stderr:\n%s", code, errOut.String())
	}
}
