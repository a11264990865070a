package simulator

import (
	"context"
	"errors"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"vitess.io/vitess/go/mysql"

	"github.com/mxharness/mxharness/simulator/config"
)

func TestSessionIDIsTheHandshakeConnectionID(t *testing.T) {
	s := startSim(t, nil)
	host, port, _ := strings.Cut(s.SQLAddrs["Read-Connection-Router"], ":")
	p, _ := strconv.Atoi(port)
	var ids []uint32
	for range 3 {
		c, err := mysql.Connect(t.Context(), &mysql.ConnParams{Host: host, Port: p, Uname: "maxuser", Pass: "maxpwd"})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		ids = append(ids, c.ConnectionID)
		if attr(s.session(t, strconv.FormatUint(uint64(c.ConnectionID), 10)), "state") != "Session started" {
			t.Errorf("no started session %d", c.ConnectionID)
		}
	}
	// A failed login takes an id too.
	if _, err := mysql.Connect(t.Context(), &mysql.ConnParams{Host: host, Port: p, Uname: "maxuser", Pass: "wrong"}); err == nil {
		t.Fatal("login with a wrong password succeeded")
	}
	c, err := mysql.Connect(t.Context(), &mysql.ConnParams{Host: host, Port: p, Uname: "maxuser", Pass: "maxpwd"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if want := []uint32{1, 2, 3}; ids[0] != want[0] || ids[1] != want[1] || ids[2] != want[2] || c.ConnectionID != 5 {
		t.Errorf("handshake ids = %v then %d, want 1 2 3 then 5", ids, c.ConnectionID)
	}
}

func TestQueriesClientsNeed(t *testing.T) {
	s := startSim(t, nil)
	conn, id := s.dial(t, "RW-Split-Router")
	ctx := t.Context()
	var comment, version string
	if err := conn.QueryRowContext(ctx, "select @@version_comment limit 1").Scan(&comment); err != nil || comment == "" {
		t.Errorf("@@version_comment: %q %v", comment, err)
	}
	if err := conn.QueryRowContext(ctx, "SELECT @@version, VERSION()").Scan(&version, &version); err != nil || !strings.Contains(version, "MariaDB") {
		t.Errorf("version: %q %v", version, err)
	}
	for _, q := range []string{"SET NAMES utf8mb4", "SET autocommit=1", "USE test", "SET @a = 41", "BEGIN", "COMMIT"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
	if got := queryInt(t, conn, "SELECT @a + 1"); got != 42 {
		t.Errorf("@a + 1 = %d", got)
	}
	var db string
	if err := conn.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&db); err != nil || db != "test" {
		t.Errorf("DATABASE() = %q, %v", db, err)
	}
	var str string
	var f float64
	var null *string
	if err := conn.QueryRowContext(ctx, `SELECT "marker-2" AS marker, 1.5, NULL`).Scan(&str, &f, &null); err != nil || str != "marker-2" || f != 1.5 || null != nil {
		t.Errorf("literals: %q %v %v %v", str, f, null, err)
	}
	if err := conn.PingContext(ctx); err != nil {
		t.Errorf("ping: %v", err)
	}
	for _, q := range []string{"SELEKT 1", "SELECT * FROM t1", "SHOW TABLES"} {
		_, err := conn.ExecContext(ctx, q)
		var me *gomysql.MySQLError
		if !errors.As(err, &me) {
			t.Errorf("%s: err = %v, want a MySQL error packet", q, err)
		}
	}
	if q := queryInt(t, conn, "SELECT 1"); q != 1 { // the connection survived the errors
		t.Errorf("SELECT 1 = %d", q)
	}
	client := attr(s.session(t, id), "client").(map[string]any)
	if n := num(t, client["sescmd_history_len"]); n != 4 { // SET NAMES, SET autocommit, USE, SET @a
		t.Errorf("sescmd_history_len = %v, want 4", n)
	}
}

func TestKillClosesTheClientEvenMidSleep(t *testing.T) {
	s := startSim(t, func(c *config.Config) { c.RetainLastStatements = 1 })
	conn, id := s.dial(t, "RW-Split-Router")
	done := make(chan error, 1)
	go func() {
		_, err := conn.ExecContext(context.Background(), "SELECT SLEEP(60)")
		done <- err
	}()
	s.waitRunning(t, id, "SELECT SLEEP(60)")
	if res := s.session(t, id); num(t, attr(res, "idle")) != 0 || num(t, attr(res, "io_activity")) == 0 {
		t.Errorf("while SLEEP runs: idle %v, io_activity %v", attr(res, "idle"), attr(res, "io_activity"))
	}
	wantStatus(t, "DELETE", s.api(t, "DELETE", "/v1/sessions/"+id, ""), 200, "")
	select {
	case err := <-done:
		if err == nil {
			t.Error("SLEEP(60) returned without error after the kill")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the killed client still waits")
	}
	wantStatus(t, "GET after kill", s.api(t, "GET", "/v1/sessions/"+id, ""), 404, "")
	wantStatus(t, "second DELETE", s.api(t, "DELETE", "/v1/sessions/"+id, ""), 404, "")
}

func TestTTLKillsOnTheSimulatorClock(t *testing.T) {
	s := startSim(t, nil)
	conn, id := s.dial(t, "RW-Split-Router")
	wantStatus(t, "DELETE ttl", s.api(t, "DELETE", "/v1/sessions/"+id+"?ttl=4294967298", ""), 200, "") // wraps to 2
	s.clock.Advance(2 * time.Second)
	if queryInt(t, conn, "SELECT 1") != 1 {
		t.Fatal("query failed before the TTL ran out")
	}
	wantStatus(t, "still there at +2 s", s.api(t, "GET", "/v1/sessions/"+id, ""), 200, "-")
	s.clock.Advance(2 * time.Second) // past ttl+2
	wantStatus(t, "gone at +4 s", s.api(t, "GET", "/v1/sessions/"+id, ""), 404, "")
	var one int
	if err := conn.QueryRowContext(t.Context(), "SELECT 1").Scan(&one); err == nil {
		t.Error("query on a TTL-killed session succeeded")
	}
}

func TestRestartGivesNewBackendIDsAtTheNextQuery(t *testing.T) {
	s := startSim(t, nil)
	conn, id := s.dial(t, "RW-Split-Router")
	if _, err := conn.ExecContext(t.Context(), "SET @a = 7"); err != nil {
		t.Fatal(err)
	}
	before := queryInt(t, conn, "SELECT CONNECTION_ID()")
	backendID := func() float64 {
		return num(t, attr(s.session(t, id), "connections").([]any)[0].(map[string]any)["connection_id"])
	}
	wantStatus(t, "restart", s.api(t, "POST", "/v1/sessions/"+id+"/restart", ""), 200, "")
	if got := backendID(); got != float64(before) {
		t.Errorf("connection_id right after restart = %v, want still %d", got, before)
	}
	after := queryInt(t, conn, "SELECT CONNECTION_ID()")
	if after == before || backendID() != float64(after) {
		t.Errorf("CONNECTION_ID() %d → %d, API shows %v", before, after, backendID())
	}
	if got := queryInt(t, conn, "SELECT @a"); got != 7 {
		t.Errorf("@a after restart = %d, want 7", got)
	}
	wantStatus(t, "restart all", s.api(t, "POST", "/v1/sessions/restart", ""), 200, "")
	if again := queryInt(t, conn, "SELECT CONNECTION_ID()"); again == after {
		t.Error("restart-all did not reconnect at the next query")
	}
}

func TestQueriesAndLogWhenConfigured(t *testing.T) {
	s := startSim(t, func(c *config.Config) { c.RetainLastStatements = 2; c.SessionTrace = 3 })
	conn, id := s.dial(t, "RW-Split-Router")
	for _, q := range []string{"SELECT 1", "SELECT 2", "SELECT 3"} {
		queryInt(t, conn, q)
	}
	res := s.session(t, id)
	queries := attr(res, "queries").([]any)
	if len(queries) != 2 || queries[0].(map[string]any)["statement"] != "SELECT 2" {
		t.Errorf("queries = %v, want the last two, oldest first", queries)
	}
	if q := queries[1].(map[string]any); q["command"] != "COM_QUERY" || q["completed"] == nil || len(q["responses"].([]any)) != 1 {
		t.Errorf("query entry = %v", q)
	}
	if log := attr(res, "log").([]any); len(log) != 3 || !strings.Contains(log[2].(string), "Reply complete from 'server1'") {
		t.Errorf("log = %v", log)
	}
}

func TestMariaDBCLI(t *testing.T) {
	bin, err := exec.LookPath("mariadb")
	if err != nil {
		t.Skip("mariadb client not installed (apt-get install -y mariadb-client); CI installs it")
	}
	s := startSim(t, func(c *config.Config) { c.RetainLastStatements = 1 })
	host, port, _ := strings.Cut(s.SQLAddrs["RW-Split-Router"], ":")
	cmd := exec.CommandContext(t.Context(), bin, "-h", host, "-P", port, "-umaxuser", "-pmaxpwd", "--batch", "--skip-column-names", "--unbuffered",
		"-e", "select @@version_comment limit 1; SELECT CONNECTION_ID(); SELECT SLEEP(30)")
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("CLI output:\n%s", out)
		}
	})
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var id string
	// The list shows the session from the handshake on; a GET finds it
	// only once the CLI has logged in (a started session).
	eventually(t, "the CLI logs in", func() bool {
		ids := s.sessionIDs(t)
		if len(ids) == 1 && s.api(t, "GET", "/v1/sessions/"+ids[0], "").status == http.StatusOK {
			id = ids[0]
		}
		return id != ""
	})
	s.waitRunning(t, id, "SELECT SLEEP(30)")
	attrs := attr(s.session(t, id), "client").(map[string]any)["connection_attributes"].(map[string]any)
	if attrs["_client_name"] != "libmariadb" {
		t.Errorf("connection_attributes = %v, want _client_name libmariadb", attrs)
	}
	wantStatus(t, "DELETE", s.api(t, "DELETE", "/v1/sessions/"+id, ""), 200, "")
	err = cmd.Wait()
	if err == nil || !strings.Contains(out.String(), "Lost connection") {
		t.Errorf("CLI after kill: err %v, output:\n%s", err, out)
	}
}

// waitRunning waits until the session's last retained statement is stmt
// and still running (the simulator must retain statements).
func (s *sim) waitRunning(t *testing.T, id, stmt string) {
	t.Helper()
	eventually(t, "session "+id+" runs "+stmt, func() bool {
		queries, _ := attr(s.session(t, id), "queries").([]any)
		if len(queries) == 0 {
			return false
		}
		last := queries[len(queries)-1].(map[string]any)
		return last["statement"] == stmt && last["completed"] == nil
	})
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
