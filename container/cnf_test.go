package container

import (
	"maps"
	"net"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/internal/golden"
)

func TestRenderGolden(t *testing.T) {
	tests := []struct {
		name string
		cfg  MaxScaleConfig
	}{
		{"maxscale-defaults.cnf", DefaultMaxScaleConfig()},
		{"maxscale-host-network.cnf", MaxScaleConfig{
			Bind: "127.0.0.1", RESTPort: 38989, RWSplitPort: 34006, ReadConnPort: 34008, Backend: "127.0.0.1:33306",
		}},
		{"maxscale-bridge.cnf", MaxScaleConfig{
			Bind: "0.0.0.0", RESTPort: RESTPort, RWSplitPort: RWSplitPort, ReadConnPort: ReadConnPort, Backend: "mariadb:3306",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.cfg.Render()
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, tt.name, got)
		})
	}
}

func TestRenderBadBackend(t *testing.T) {
	cfg := DefaultMaxScaleConfig()
	cfg.Backend = "no-port"
	if _, err := cfg.Render(); err == nil || !strings.Contains(err.Error(), `backend "no-port"`) {
		t.Fatalf("Render with backend without port: err = %v, want one naming the backend", err)
	}
}

func TestInitSQLGolden(t *testing.T) {
	golden.Check(t, "init.sql", InitSQL())
}

// The simulator image reads the file RunMaxScale writes: what Render says
// must come back from ParseAddresses.
func TestParseAddressesRoundTrip(t *testing.T) {
	cfg := MaxScaleConfig{Bind: "127.0.0.1", RESTPort: 38989, RWSplitPort: 34006, ReadConnPort: 34008, Backend: "127.0.0.1:3306"}
	cnf, err := cfg.Render()
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseAddresses(cnf)
	if err != nil {
		t.Fatal(err)
	}
	want := Addresses{API: "127.0.0.1:38989", Listeners: map[string]string{
		RWSplitRouter: "127.0.0.1:34006", ReadConnRouter: "127.0.0.1:34008",
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseAddresses(Render()) = %+v, want %+v", got, want)
	}
}

func TestParseAddresses(t *testing.T) {
	tests := []struct {
		name, cnf string
		want      Addresses
		wantErr   string
	}{
		{name: "empty file: MaxScale's defaults", cnf: "",
			want: Addresses{API: "127.0.0.1:8989", Listeners: map[string]string{}}},
		{name: "comments, spaces, listener without address", cnf: "# c\n; c\n[maxscale]\n admin_port = 9000 \n\n[L]\ntype=listener\nservice=S\nport=4100\n",
			want: Addresses{API: "127.0.0.1:9000", Listeners: map[string]string{"S": "127.0.0.1:4100"}}},
		{name: "ipv6 admin host", cnf: "[maxscale]\nadmin_host=::1\n",
			want: Addresses{API: "[::1]:8989", Listeners: map[string]string{}}},
		{name: "other sections ignored", cnf: "[server1]\ntype=server\nport=3306\n[svc]\ntype=service\n",
			want: Addresses{API: "127.0.0.1:8989", Listeners: map[string]string{}}},
		{name: "listener without port", cnf: "[L]\ntype=listener\nservice=S\n", wantErr: "listener [L] needs service and port"},
		{name: "key outside a section", cnf: "admin_port=1\n", wantErr: "line 1: want key=value inside a [section]"},
		{name: "line without =", cnf: "[maxscale]\nthreads\n", wantErr: "line 2"},
		{name: "listener port not a number", cnf: "[L]\ntype=listener\nservice=S\nport=]\n", wantErr: `[L] port "]" is not a port number`},
		{name: "admin port out of range", cnf: "[maxscale]\nadmin_port=65536\n", wantErr: `[maxscale] port "65536"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAddresses([]byte(tt.cnf))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// ParseAddresses reads whatever file a container is given: it never
// panics, and every address it returns is HOST:PORT.
func FuzzParseAddresses(f *testing.F) {
	cnf, err := DefaultMaxScaleConfig().Render()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(cnf)
	f.Add([]byte("[maxscale]\nadmin_host=::1\n[L]\ntype=listener\nservice=S\nport=1\n"))
	f.Add([]byte("[\n]\n=\n[a]]\nk==v\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseAddresses(data)
		if err != nil {
			return
		}
		for _, addr := range append([]string{a.API}, slices.Collect(maps.Values(a.Listeners))...) {
			if _, _, err := net.SplitHostPort(addr); err != nil {
				t.Errorf("address %q is not HOST:PORT: %v", addr, err)
			}
		}
	})
}
