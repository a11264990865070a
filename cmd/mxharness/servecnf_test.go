package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/container"
)

func TestServeArgsFromCnf(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	generated, err := container.MaxScaleConfig{Bind: "127.0.0.1", RESTPort: 18989, RWSplitPort: 14006, ReadConnPort: 14008, Backend: "127.0.0.1:3306"}.Render()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       string
		wantErr    string
	}{
		{name: "no file: serve's defaults", path: filepath.Join(dir, "absent.cnf")},
		{name: "generated file", path: write("gen.cnf", string(generated)),
			want: "--api-addr 127.0.0.1:18989 --listen RW-Split-Router=127.0.0.1:14006 --listen Read-Connection-Router=127.0.0.1:14008"},
		{name: "malformed", path: write("bad.cnf", "[maxscale]\nthreads\n"), wantErr: "bad.cnf: maxscale.cnf line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := serveArgsFromCnf(tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || strings.Join(got, " ") != tt.want {
				t.Errorf("got %q, %v; want %q", strings.Join(got, " "), err, tt.want)
			}
		})
	}
}
