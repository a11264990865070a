package simulator

import (
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/testcontainers/testcontainers-go"

	"github.com/mxharness/mxharness/container"
)

// sessionUsers lists the users of the sessions GET /v1/sessions returns.
func sessionUsers(t *testing.T, c *Container) []string {
	t.Helper()
	resp := getSessions(t, c, c.AdminUser, c.AdminPassword)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/sessions: %s", resp.Status)
	}
	var doc struct {
		Data []struct {
			Attributes struct{ User string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("GET /v1/sessions: %v", err)
	}
	users := []string{}
	for _, s := range doc.Data {
		users = append(users, s.Attributes.User)
	}
	return users
}

// getSessions sends GET /v1/sessions as user.
func getSessions(t *testing.T, c *Container, user, password string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, c.APIURL+"/v1/sessions", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(user, password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// WithSeed and WithConfig reach the simulator: the demo data set's twelve
// synthetic sessions exist at start, and a REST account the file adds can
// log in (the file's addresses give way to the ones Run chose).
func TestRunSeedAndConfig(t *testing.T) {
	container.SkipIfImageAbsent(t, Image, BuildHint)
	testcontainers.SkipIfDockerDesktop(t, t.Context())
	cfg := filepath.Join(t.TempDir(), "sim.yaml")
	yaml := "api:\n  address: 127.0.0.1:8989\n  users:\n" +
		"    - {name: admin, password: mariadb, account: admin}\n" +
		"    - {name: ops, password: s3cret, account: admin}\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Run(t.Context(), Image, container.WithHostNetwork(), WithSeed("demo"), WithConfig(cfg))
	testcontainers.CleanupContainer(t, c)
	if err != nil {
		t.Fatal(err)
	}
	// Run's readiness check logs in through a listener; the simulator sees
	// that client's disconnect a moment later, so poll (bounded) until only
	// the demo set remains.
	var got []string
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for deadline := time.Now().Add(10 * time.Second); ; <-tick.C {
		if got = sessionUsers(t, c); len(got) == 12 || time.Now().After(deadline) {
			break
		}
	}
	if len(got) != 12 {
		t.Errorf("sessions at start: %d (%v), want the demo set's 12", len(got), got)
	}
	resp := getSessions(t, c, "ops", "s3cret")
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /v1/sessions as the file's user ops: %s, want 200", resp.Status)
	}
	if c.ReadOnlyUser != "" {
		t.Errorf("ReadOnlyUser = %q, want none: the file's users have no read-only account", c.ReadOnlyUser)
	}
}

// The image starts, its REST API answers the admin account, and a real
// SQL client logged in through each listener is a session; on the host's
// network or with ports published, and never on anything but loopback.
func TestRun(t *testing.T) {
	container.SkipIfImageAbsent(t, Image, BuildHint)
	testcontainers.SkipIfDockerDesktop(t, t.Context())
	tests := []struct {
		name string
		opts []testcontainers.ContainerCustomizer
		host bool
	}{
		{"host network", []testcontainers.ContainerCustomizer{container.WithHostNetwork(), WithProfile("documented")}, true},
		{"published on loopback", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Run(t.Context(), Image, tt.opts...)
			testcontainers.CleanupContainer(t, c)
			if err != nil {
				t.Fatal(err)
			}
			inspect, err := c.Inspect(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			published := 0
			for port, bindings := range inspect.NetworkSettings.Ports {
				for _, b := range bindings {
					published++
					if b.HostIP.String() != "127.0.0.1" {
						t.Errorf("port %s published on %s, want 127.0.0.1 only", port, b.HostIP)
					}
				}
			}
			if host := inspect.HostConfig.NetworkMode == "host"; host != tt.host || (!host && published != 3) {
				t.Errorf("host network %v with %d published ports, want %v with 3 (REST and two listeners) or none", host, published, tt.host)
			}
			if got := sessionUsers(t, c); len(got) != 0 {
				t.Fatalf("sessions before any client: %v, want none", got)
			}
			if resp := getSessions(t, c, c.ReadOnlyUser, c.ReadOnlyPassword); resp.Body.Close() != nil || resp.StatusCode != http.StatusOK {
				t.Errorf("GET /v1/sessions as the read-only account %q: %s, want 200", c.ReadOnlyUser, resp.Status)
			}
			for _, addr := range []string{c.SQLAddr, c.ReadConnAddr} {
				db, err := sql.Open("mysql", c.SQLUser+":"+c.SQLPassword+"@tcp("+addr+")/?timeout=5s")
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				conn, err := db.Conn(t.Context())
				if err != nil {
					t.Fatalf("connect to %s: %v", addr, err)
				}
				defer conn.Close()
			}
			if got := sessionUsers(t, c); strings.Join(got, ",") != c.SQLUser+","+c.SQLUser {
				t.Errorf("session users = %v, want two of %s", got, c.SQLUser)
			}
		})
	}
}

// Two simulators at once never collide: each gets its own free ports.
func TestRunTwo(t *testing.T) {
	container.SkipIfImageAbsent(t, Image, BuildHint)
	testcontainers.SkipIfDockerDesktop(t, t.Context())
	a, err := Run(t.Context(), Image, container.WithHostNetwork())
	testcontainers.CleanupContainer(t, a)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(t.Context(), Image, container.WithHostNetwork())
	testcontainers.CleanupContainer(t, b)
	if err != nil {
		t.Fatal(err)
	}
	if a.APIURL == b.APIURL || a.SQLAddr == b.SQLAddr {
		t.Errorf("two simulators share addresses: %s %s / %s %s", a.APIURL, a.SQLAddr, b.APIURL, b.SQLAddr)
	}
}

// The image says that it simulates its servers, so that a container run
// starts no MariaDB for it.
func TestImageNeedsNoBackend(t *testing.T) {
	container.SkipIfImageAbsent(t, Image, BuildHint)
	needs, err := container.NeedsBackend(t.Context(), Image, BuildHint)
	if err != nil || needs {
		t.Errorf("NeedsBackend(%s) = %v, %v; want false (label %s)", Image, needs, err, container.LabelSimulatedServers)
	}
}

func TestRunMissingImage(t *testing.T) {
	testcontainers.SkipIfProviderIsNotHealthy(t)
	c, err := Run(t.Context(), "mxharness/simulator:absent")
	testcontainers.CleanupContainer(t, c)
	if !errors.Is(err, container.ErrImageNotFound) || !strings.Contains(err.Error(), "make image") {
		t.Fatalf("err = %v, want ErrImageNotFound saying how to build the image", err)
	}
}
