package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"

	"github.com/mxharness/mxharness/container"
	"github.com/mxharness/mxharness/container/simulator"
)

// containerArgs are the verify flags that run the container path against
// the simulator image; its label says it simulates its servers, so no
// MariaDB is started (and none needs to be present).
func containerArgs(dir string) []string {
	return []string{"verify", "--container", "--maxscale-image", simulator.Image, "--matrix-dir", dir}
}

// restURLs finds the REST API URLs verify announced on stderr.
func restURLs(stderr string) []string {
	var urls []string
	for _, m := range regexp.MustCompile(`\(REST (http://127\.0\.0\.1:\d+),`).FindAllStringSubmatch(stderr, -1) {
		urls = append(urls, m[1])
	}
	return urls
}

// assertGone fails unless nothing answers at url any more: the container
// that served it was removed.
func assertGone(t *testing.T, url string) {
	t.Helper()
	resp, err := http.Get(url + "/v1/maxscale")
	if err == nil {
		resp.Body.Close()
		t.Errorf("%s still answers (%s) after verify returned: the container was not removed", url, resp.Status)
	}
}

// The container path end to end: verify --container starts the simulator
// image through testcontainers-go with a generated maxscale.cnf (the code
// that starts MaxScale releases), runs the suite, writes the matrix and the
// JUnit report, and removes the container.
func TestVerifyContainer(t *testing.T) {
	container.SkipIfImageAbsent(t, simulator.Image, simulator.BuildHint)
	testcontainers.SkipIfDockerDesktop(t, t.Context())
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), containerArgs(dir), &stdout, &stderr)
	if code == verifyUsage {
		t.Fatalf("verify --container: status %d\n%s", code, stderr.String())
	}
	matrix, err := os.ReadFile(filepath.Join(dir, matrixFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(matrix, stdout.Bytes()) {
		t.Errorf("stdout is not the matrix file:\n%s", stdout.String())
	}
	if !strings.Contains(stdout.String(), "| Δ | Scenario | "+simulator.Image+" |") {
		t.Errorf("matrix has no column for %s:\n%s", simulator.Image, stdout.String())
	}
	if m := regexp.MustCompile(`\*\*total\*\* \| (\d+) conforms, (\d+) known deviation`).FindStringSubmatch(stdout.String()); m == nil {
		t.Errorf("matrix totals: want conforming scenarios and the ledger's known deviations:\n%s", stdout.String())
	}
	junit, err := os.ReadFile(filepath.Join(dir, slug(simulator.Image)+".junit.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(junit, []byte("<testcase ")) {
		t.Errorf("JUnit report has no test cases:\n%.500s", junit)
	}
	urls := restURLs(stderr.String())
	if len(urls) != 1 {
		t.Fatalf("REST URLs announced: %v, want one\n%s", urls, stderr.String())
	}
	assertGone(t, urls[0])
}

// cancelOn is a writer that cancels a context when what was written so far
// contains a marker, the way Ctrl-C interrupts a run at that point.
type cancelOn struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	cancel context.CancelFunc
}

func (c *cancelOn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if strings.Contains(c.buf.String(), c.marker) {
		c.cancel()
	}
	return len(p), nil
}

func (c *cancelOn) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// Ctrl-C while the suite runs stops the run and removes the container.
func TestVerifyContainerInterrupted(t *testing.T) {
	container.SkipIfImageAbsent(t, simulator.Image, simulator.BuildHint)
	testcontainers.SkipIfDockerDesktop(t, t.Context())
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stderr := &cancelOn{marker: "running the suite against", cancel: cancel}
	var stdout bytes.Buffer
	code := run(ctx, containerArgs(t.TempDir()), &stdout, stderr)
	if code != verifyUsage || !strings.Contains(stderr.String(), "interrupted; removing the containers") {
		t.Fatalf("status %d, want %d and the interruption said\n%s", code, verifyUsage, stderr.String())
	}
	if stdout.Len() != 0 || strings.Contains(stderr.String(), " scenarios against ") {
		t.Errorf("an interrupted run printed a matrix or a summary:\n%s\n%s", stdout.String(), stderr.String())
	}
	urls := restURLs(stderr.String())
	if len(urls) != 1 {
		t.Fatalf("REST URLs announced: %v, want one\n%s", urls, stderr.String())
	}
	assertGone(t, urls[0])
}

// buildFromSimulator builds a throw-away image FROM the simulator image
// with the given CMD, and removes it when the test ends.
func buildFromSimulator(t *testing.T, repo, cmd string) string {
	t.Helper()
	dir := t.TempDir()
	df := "FROM " + simulator.Image + "\nCMD " + cmd + "\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	img, err := p.BuildImage(t.Context(), &testcontainers.ContainerRequest{FromDockerfile: testcontainers.FromDockerfile{
		Context: dir, Repo: repo, Tag: "test", BuildLogWriter: io.Discard,
	}})
	if err != nil {
		t.Fatalf("build %s: %v", repo, err)
	}
	t.Cleanup(func() {
		cli, err := testcontainers.NewDockerClientWithOpts(context.Background())
		if err != nil {
			t.Error(err)
			return
		}
		defer cli.Close()
		if _, err := cli.ImageRemove(context.Background(), img, client.ImageRemoveOptions{Force: true, PruneChildren: true}); err != nil {
			t.Errorf("remove %s: %v", img, err)
		}
	})
	return img
}

// An image that does not start is one line naming it, its logs on stderr,
// a column of "not run" in the matrix, status 2; the images that did
// start still get their column.
func TestVerifyContainerImageDoesNotStart(t *testing.T) {
	container.SkipIfImageAbsent(t, simulator.Image, simulator.BuildHint)
	testcontainers.SkipIfDockerDesktop(t, t.Context())
	broken := buildFromSimulator(t, "mxharness-test/broken", `["serve-cnf", "--", "--no-such-flag"]`)
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"verify", "--container", "--tags", "@pretty",
		"--maxscale-image", broken, "--maxscale-image", simulator.Image,
		"--matrix-dir", dir, "--startup-timeout", "20s"}, &stdout, &stderr)
	if code != verifyUsage {
		t.Errorf("status %d, want %d", code, verifyUsage)
	}
	for _, want := range []string{
		"mxharness verify: " + broken + " did not start: ",
		"[" + broken + "] flag provided but not defined: -no-such-flag",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr.String())
		}
	}
	if !strings.Contains(stdout.String(), "| "+broken+" | "+simulator.Image+" |") || !strings.Contains(stdout.String(), "not run: ") {
		t.Errorf("matrix: want both columns and the broken image not run:\n%s", stdout.String())
	}
}

// The regression check between releases: the same scenario against an
// image that deviates as the ledger records and one that behaves as the
// docs say (the simulator's documented profile, standing in for a release
// that fixed the deviation) is a marked row with a bold changed deviation.
func TestVerifyContainerMatrixShowsChange(t *testing.T) {
	container.SkipIfImageAbsent(t, simulator.Image, simulator.BuildHint)
	testcontainers.SkipIfDockerDesktop(t, t.Context())
	fixed := buildFromSimulator(t, "mxharness-test/documented",
		`["serve-cnf", "--cnf", "/etc/maxscale.cnf", "--", "--profile", "documented"]`)
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"verify", "--container", "--tags", "@kill && @write",
		"--maxscale-image", simulator.Image, "--maxscale-image", fixed, "--matrix-dir", t.TempDir()}, &stdout, &stderr)
	if code == verifyUsage {
		t.Fatalf("status %d\n%s", code, stderr.String())
	}
	row := regexp.MustCompile(`(?m)^\| Δ \| Kill a session: Killing a session closes the client's connection at once \| known deviation \([^)]*write-status-200[^)]*\) \| \*\*changed deviation`)
	if !row.MatchString(stdout.String()) {
		t.Errorf("matrix: want the kill scenario marked, known deviation write-status-200 then a bold changed deviation:\n%s", stdout.String())
	}
}

// Flag and image mistakes are one line on stderr and status 2, before any
// container starts.
func TestVerifyContainerRefuses(t *testing.T) {
	testcontainers.SkipIfProviderIsNotHealthy(t)
	if err := container.CheckReaper(t.Context()); err != nil {
		t.Skip(err)
	}
	tests := []struct {
		name  string
		args  []string
		want  []string
		needs string // an image the case needs present
	}{
		{"image absent", []string{"verify", "--container", "--maxscale-image", "local/absent:image", "--mariadb-image", "none"},
			[]string{"local/absent:image", "docker pull local/absent:image"}, ""},
		{"backend image absent", []string{"verify", "--container", "--maxscale-image", simulator.Image, "--mariadb-image", "local/absent-db:1"},
			[]string{"local/absent-db:1", "docker pull local/absent-db:1"}, simulator.Image},
		{"image without --container", []string{"verify", "--maxscale-image", "mariadb/maxscale:24.02"},
			[]string{"--maxscale-image needs --container"}, ""},
		{"--api and --container", []string{"verify", "--container", "--api", "http://127.0.0.1:1", "--sql", "127.0.0.1:1"},
			[]string{"--container", "pick one"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needs != "" {
				container.SkipIfImageAbsent(t, tt.needs, simulator.BuildHint)
			}
			assertRefused(t, append(tt.args, "--matrix-dir", t.TempDir()), tt.want...)
		})
	}
}
