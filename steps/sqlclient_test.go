package steps

import (
	"net"
	"testing"
	"time"

	"github.com/mxharness/mxharness/simulator/clock"
	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/session"
	"github.com/mxharness/mxharness/simulator/wire"
)

// The SQL client against a real wire-protocol listener: the connection id it
// reads from the handshake names the session the server registered, with the
// client's program_name and port; queries work, each carrying the client's
// program name (unique: no answer another client left in MaxScale's cache
// fits it); a kill closes the connection.
func TestSQLClientAgainstAWireListener(t *testing.T) {
	cfg := config.Default()
	cfg.RetainLastStatements = 5
	clk := clock.New()
	reg := session.New(cfg, clk)
	t.Cleanup(reg.Close)
	l, err := wire.New(reg, clk, cfg.SQLUsers, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	done := make(chan error, 1)
	go func() { done <- l.Serve(ctx, ln, "RW-Split-Router") }()

	c, err := connectClient(ctx, "app", "RW-Split-Router", ln.Addr().String(), "maxuser", "maxpwd", "mxh-test-app")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.close)
	snap, err := reg.Get(c.id)
	if err != nil {
		t.Fatalf("no session %s for the handshake's connection id: %v", c.id, err)
	}
	if snap.ConnectionAttributes["program_name"] != "mxh-test-app" || snap.Port != c.port || snap.User != "maxuser" {
		t.Errorf("session %s: program_name %q port %d user %q; client port %d",
			c.id, snap.ConnectionAttributes["program_name"], snap.Port, snap.User, c.port)
	}
	if err := c.selectOne(ctx); err != nil {
		t.Fatal(err)
	}
	if snap, err := reg.Get(c.id); err != nil || len(snap.Queries) != 1 || snap.Queries[0].Statement != "SELECT 1 /* mxh-test-app */" {
		t.Errorf("the server received %+v (%v), want only SELECT 1 with the client's program name", snap.Queries, err)
	}
	if err := c.start(ctx, "SELECT SLEEP(0.2)"); err != nil {
		t.Fatal(err)
	}
	if err := c.finish(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.ping(ctx); err != nil {
		t.Fatalf("ping before the kill: %v", err)
	}
	if err := reg.Kill(c.id, 0); err != nil {
		t.Fatal(err)
	}
	if err := poll(ctx, 3*time.Second, func() error {
		if c.ping(ctx) == nil {
			return errStillThere
		}
		return nil
	}); err != nil {
		t.Fatalf("after the kill: %v", err)
	}
}
