package container

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// maxscaleBuilds are the MaxScale source builds of scripts/maxscale-from-source.sh
// on this machine: its cache folder ($MXS_CACHE, default
// /var/cache/mxharness/maxscale) holds <release>/install/bin/maxscale.
func maxscaleBuilds(t *testing.T) map[string]string {
	t.Helper()
	cache := os.Getenv("MXS_CACHE")
	if cache == "" {
		cache = "/var/cache/mxharness/maxscale"
	}
	bins, err := filepath.Glob(filepath.Join(cache, "*", "install", "bin", "maxscale"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, b := range bins {
		out[filepath.Base(filepath.Dir(filepath.Dir(filepath.Dir(b))))] = b
	}
	if len(out) == 0 {
		t.Skipf("no MaxScale source build in %s (scripts/maxscale-from-source.sh builds one; it takes an hour, so CI does not)", cache)
	}
	return out
}

// TestConfigAcceptedByMaxScale runs the real `maxscale --config-check` of
// every source build present on the generated maxscale.cnf (both the
// host-network and the bridge variant): the configuration verify
// --container gives real images must be one MaxScale accepts, modules,
// parameters and values included.
func TestConfigAcceptedByMaxScale(t *testing.T) {
	for release, bin := range maxscaleBuilds(t) {
		install := filepath.Dir(filepath.Dir(bin))
		for name, cfg := range map[string]MaxScaleConfig{
			"host-network": {Bind: "127.0.0.1", RESTPort: 38989, RWSplitPort: 34006, ReadConnPort: 34008, Backend: "127.0.0.1:33306"},
			"bridge":       {Bind: "0.0.0.0", RESTPort: RESTPort, RWSplitPort: RWSplitPort, ReadConnPort: ReadConnPort, Backend: "mariadb:3306"},
		} {
			t.Run(release+"/"+name, func(t *testing.T) {
				t.Parallel()
				cnf, err := cfg.Render()
				if err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				path := filepath.Join(dir, "maxscale.cnf")
				if err := os.WriteFile(path, cnf, 0o644); err != nil {
					t.Fatal(err)
				}
				libdir, err := filepath.Glob(filepath.Join(install, "lib*", "maxscale"))
				if err != nil || len(libdir) != 1 {
					t.Fatalf("module folder of %s: %v %v", install, libdir, err)
				}
				args := []string{"--config-check", "--nodaemon", "--config=" + path, "--libdir=" + libdir[0],
					"--datadir=" + dir, "--logdir=" + dir, "--cachedir=" + dir, "--piddir=" + dir,
					"--persistdir=" + filepath.Join(dir, "persist"), "--log=stdout"}
				if os.Geteuid() == 0 {
					args = append(args, "--user=root") // MaxScale refuses root without it
				}
				ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
				defer cancel()
				var out bytes.Buffer
				cmd := exec.CommandContext(ctx, bin, args...)
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Run(); err != nil {
					t.Fatalf("%s %v: %v; MaxScale %s rejects the generated maxscale.cnf:\n%s\n--- maxscale.cnf ---\n%s", bin, args, err, release, out.Bytes(), cnf)
				}
			})
		}
	}
}
