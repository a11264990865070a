package container

import (
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go"
)

func TestFreePorts(t *testing.T) {
	ports, err := FreePorts(5)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ports)
	if len(slices.Compact(ports)) != 5 || ports[0] == 0 {
		t.Errorf("FreePorts(5) = %v, want 5 distinct non-zero ports", ports)
	}
}

func TestWithHostNetwork(t *testing.T) {
	tests := []struct {
		name string
		opts []testcontainers.ContainerCustomizer
		want bool
	}{
		{"none", nil, false},
		{"host", []testcontainers.ContainerCustomizer{WithHostNetwork()}, true},
		{"published then host", []testcontainers.ContainerCustomizer{publishLoopback(RESTPort), WithHostNetwork()}, true},
		{"host then another modifier", []testcontainers.ContainerCustomizer{WithHostNetwork(), publishLoopback(RESTPort)}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := UsesHostNetwork(tt.opts)
			if err != nil || got != tt.want {
				t.Errorf("UsesHostNetwork = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// Without host networking every published port is bound to 127.0.0.1 only;
// with it, nothing is published.
func TestPublishLoopback(t *testing.T) {
	for _, host := range []bool{false, true} {
		req := testcontainers.GenericContainerRequest{}
		opts := []testcontainers.ContainerCustomizer{publishLoopback(RESTPort, RWSplitPort)}
		if host {
			opts = append(opts, WithHostNetwork())
		}
		for _, o := range opts {
			if err := o.Customize(&req); err != nil {
				t.Fatal(err)
			}
		}
		var hc container.HostConfig
		req.HostConfigModifier(&hc)
		if host {
			if len(hc.PortBindings) != 0 {
				t.Errorf("host network: PortBindings = %v, want none", hc.PortBindings)
			}
			continue
		}
		if len(hc.PortBindings) != 2 {
			t.Fatalf("PortBindings = %v, want 2", hc.PortBindings)
		}
		for port, bs := range hc.PortBindings {
			for _, b := range bs {
				if b.HostIP.String() != "127.0.0.1" {
					t.Errorf("port %s bound on %s, want 127.0.0.1", port, b.HostIP)
				}
			}
		}
	}
}

// An absent image is one line naming the image and how to get it, and
// nothing is pulled.
func TestMissingImage(t *testing.T) {
	testcontainers.SkipIfProviderIsNotHealthy(t)
	const img = "mxharness/absent:never"
	for name, run := range map[string]func() (testcontainers.Container, error){
		"maxscale": func() (testcontainers.Container, error) { return RunMaxScale(t.Context(), img, WithHostNetwork()) },
		"mariadb":  func() (testcontainers.Container, error) { return RunMariaDB(t.Context(), img, WithHostNetwork()) },
	} {
		t.Run(name, func(t *testing.T) {
			c, err := run()
			testcontainers.CleanupContainer(t, c)
			if !errors.Is(err, ErrImageNotFound) {
				t.Fatalf("err = %v, want ErrImageNotFound", err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, img) || !strings.Contains(msg, "docker pull "+img) {
				t.Errorf("error %q: want one line naming %s and how to pull it", msg, img)
			}
		})
	}
}

// A real MaxScale in front of a real MariaDB, both on host networking:
// the REST API answers the admin account and a SQL client logged in
// through RW-Split-Router shows up as a session.
func TestMaxScaleWithMariaDB(t *testing.T) {
	SkipIfImageAbsent(t, MariaDBImage, PullHint(MariaDBImage))
	SkipIfImageAbsent(t, MaxScaleImage, PullHint(MaxScaleImage))
	testcontainers.SkipIfDockerDesktop(t, t.Context())
	db, err := RunMariaDB(t.Context(), MariaDBImage, WithHostNetwork())
	testcontainers.CleanupContainer(t, db)
	if err != nil {
		t.Fatal(err)
	}
	mxs, err := RunMaxScale(t.Context(), MaxScaleImage, WithHostNetwork(), WithBackend(db.Addr))
	testcontainers.CleanupContainer(t, mxs)
	if err != nil {
		t.Fatal(err)
	}
	checkSessionAppears(t, mxs.APIURL, mxs.Listeners[RWSplitRouter])
}

// checkSessionAppears opens a SQL connection through listener and checks
// that GET /v1/sessions on apiURL, as the admin account, lists it.
func checkSessionAppears(t *testing.T, apiURL, listener string) {
	t.Helper()
	db, err := sql.Open("mysql", SQLUser+":"+SQLPassword+"@tcp("+listener+")/?timeout=5s")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatalf("connect through %s: %v", listener, err)
	}
	defer conn.Close()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, apiURL+"/v1/sessions", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(AdminUser, AdminPassword)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Data []struct {
			Attributes struct{ User string }
		}
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &doc) != nil ||
		!slices.ContainsFunc(doc.Data, func(s struct{ Attributes struct{ User string } }) bool { return s.Attributes.User == SQLUser }) {
		t.Errorf("GET /v1/sessions = %s\n%s\nwant 200 listing a session of %s", resp.Status, body, SQLUser)
	}
}
