package config

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestDefaultIsValidAndMaxScales(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.API.Address != "127.0.0.1:8989" || !slices.Equal(c.ServiceNames(), []string{"RW-Split-Router", "Read-Connection-Router"}) {
		t.Errorf("defaults: %+v", c)
	}
	rw, _ := c.Service("RW-Split-Router")
	rc, _ := c.Service("Read-Connection-Router")
	if rw.Listener != "127.0.0.1:4006" || rw.Router != RouterReadWriteSplit || rc.Listener != "127.0.0.1:4008" || rc.Router != RouterReadConnRoute {
		t.Errorf("services: %+v %+v", rw, rc)
	}
}

// TestTheDocumentedExampleLoads keeps docs/CONFIG.md's full example valid.
func TestTheDocumentedExampleLoads(t *testing.T) {
	doc, err := os.ReadFile("../../docs/CONFIG.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## Full example\n\n```yaml\n(.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/CONFIG.md has no yaml block under ## Full example")
	}
	path := filepath.Join(t.TempDir(), "example.yaml")
	if err := os.WriteFile(path, m[1], 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.RetainLastStatements != 5 || c.SessionTrace != 20 || c.Threads != 4 || len(c.SQLUsers) != 2 || len(c.API.Users) != 3 {
		t.Errorf("example loaded as %+v", c)
	}
	rc, _ := c.Service("Read-Connection-Router")
	if !rc.LogInfo || !slices.Equal(rc.Servers, []string{"server2"}) {
		t.Errorf("Read-Connection-Router = %+v", rc)
	}
}

func TestLoadKeepsDefaultsForAbsentKeysAndRefusesBadFiles(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, wantErr string
	}{
		{"partial", "retain_last_statements: 3\n", ""},
		{"unknown key", "retain_last_statement: 3\n", "unknown field"},
		{"unknown server", "services:\n  - {name: S, router: readconnroute, listener: '127.0.0.1:0', servers: [nope]}\n", `unknown server "nope"`},
		{"unknown filter", "services:\n  - {name: S, router: readconnroute, listener: '127.0.0.1:0', filters: [nope]}\n", `unknown filter "nope"`},
		{"monitor of an unknown server", "monitors: [{name: M, servers: [nope]}]\n", `monitor M: unknown server "nope"`},
		{"server in two monitors", "monitors: [{name: M, servers: [server1]}, {name: N, servers: [server1]}]\n", `already monitored by M`},
		{"duplicate listener", "services:\n  - {name: A, router: readconnroute, listener: '127.0.0.1:0', listener_name: L}\n  - {name: B, router: readconnroute, listener: '127.0.0.1:0', listener_name: L}\n", `listeners: duplicate name "L"`},
		{"bad router", "services:\n  - {name: S, router: schemarouter, listener: '127.0.0.1:0'}\n", "router"},
		{"bad address", "api: {address: localhost}\n", "api.address"},
		{"bad account", "api: {address: '127.0.0.1:0', users: [{name: a, password: b, account: root}]}\n", "account"},
		{"duplicate", "sql_users: [{name: a, password: b}, {name: a, password: c}]\n", "duplicate"},
		{"negative", "session_trace: -1\n", "negative"},
		{"no services", "services: []\n", "at least one service"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := Load(path)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.RetainLastStatements != 3 || len(c.Services) != 2 || c.API.Address != "127.0.0.1:8989" {
					t.Errorf("partial file: %+v", c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Load: err = %v, want it to mention %q", err, tc.wantErr)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("Load of a missing file: no error")
	}
}

func TestOverride(t *testing.T) {
	c := Default()
	if err := c.Override("127.0.0.1:0", map[string]string{"RW-Split-Router": "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	rw, _ := c.Service("RW-Split-Router")
	if c.API.Address != "127.0.0.1:0" || rw.Listener != "127.0.0.1:0" {
		t.Errorf("after Override: api %s, listener %s", c.API.Address, rw.Listener)
	}
	if err := c.Override("", map[string]string{"nope": "127.0.0.1:1"}); err == nil || !strings.Contains(err.Error(), `no service "nope"`) {
		t.Errorf("unknown service: err = %v", err)
	}
	if err := c.Override("not-an-address", nil); err == nil {
		t.Error("bad api address accepted")
	}
}
