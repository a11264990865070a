package wire

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"testing"

	"vitess.io/vitess/go/mysql"
	"vitess.io/vitess/go/mysql/sqlerror"

	"github.com/mxharness/mxharness/simulator/clock"
	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/session"
)

// serve starts a listener for RW-Split-Router and returns a connected
// vitess client.
func serve(t *testing.T) (*session.Registry, *mysql.Conn) {
	t.Helper()
	RouteVitessLogs(slog.New(slog.DiscardHandler))
	clk := clock.New()
	reg := session.New(config.Default(), clk)
	t.Cleanup(reg.Close)
	l, err := New(reg, clk, config.Default().SQLUsers, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Serve(ctx, ln, "RW-Split-Router") }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	p, _ := strconv.Atoi(port)
	c, err := mysql.Connect(t.Context(), &mysql.ConnParams{Host: "127.0.0.1", Port: p, Uname: "maxuser", Pass: "maxpwd"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return reg, c
}

func TestStatements(t *testing.T) {
	reg, c := serve(t)
	for _, tc := range []struct {
		sql     string
		want    string // first column of the only row; "" for no rows
		errCode sqlerror.ErrorCode
	}{
		{"select @@version_comment limit 1", "mariadb.org binary distribution", 0},
		{"SELECT 1 + 2 * 3", "7", 0},
		{"SELECT -5", "-5", 0},
		{"SELECT 'x' AS a", "x", 0},
		{"SELECT 1 LIMIT 0", "", 0},
		{"SET @v = 'kept'", "", 0},
		{"SELECT @v", "kept", 0},
		{"SELECT @never_set", "NULL", 0},
		{"SET SESSION sql_mode = 'ANSI'", "", 0},
		{"SELECT @@sql_mode", "ANSI", 0},
		{"SELECT @@GLOBAL.sql_mode", "STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION", 0},
		{"SELECT SLEEP(0)", "0", 0},
		{"USE db1", "", 0},
		{"SELECT DATABASE()", "db1", 0},
		{"SELECT USER()", "maxuser@127.0.0.1", 0},
		{"SELEKT 1", "", sqlerror.ERParseError},
		{"SELECT * FROM t", "", sqlerror.ERNotSupportedYet},
		{"SELECT @@no_such_variable", "", sqlerror.ERUnknownSystemVariable},
		{"SELECT NOW()", "", sqlerror.ERNotSupportedYet},
		{"SELECT 1 WHERE 1", "", sqlerror.ERNotSupportedYet},
	} {
		res, err := c.ExecuteFetch(tc.sql, 10, false)
		if tc.errCode != 0 {
			var se *sqlerror.SQLError
			if !errors.As(err, &se) || se.Num != tc.errCode {
				t.Errorf("%s: err = %v, want error %d", tc.sql, err, tc.errCode)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		got := ""
		if len(res.Rows) > 0 {
			got = res.Rows[0][0].ToString()
			if res.Rows[0][0].IsNull() {
				got = "NULL"
			}
		}
		if got != tc.want {
			t.Errorf("%s = %q, want %q", tc.sql, got, tc.want)
		}
	}
	snap, err := reg.Get(strconv.FormatUint(uint64(c.ConnectionID), 10))
	if err != nil {
		t.Fatal(err)
	}
	if snap.History.Len != 3 { // SET @v, SET SESSION, USE
		t.Errorf("sescmd_history_len = %d, want 3", snap.History.Len)
	}
	if snap.User != "maxuser" || snap.Remote != "127.0.0.1" {
		t.Errorf("session user %q remote %q", snap.User, snap.Remote)
	}
}
