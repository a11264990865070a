package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/mxharness/mxharness/container"
	"github.com/mxharness/mxharness/report"
	"github.com/mxharness/mxharness/steps"
)

func init() {
	verifyModes = append(verifyModes, newContainerMode)
}

// containerLedger judges every release when --ledger is not given: the
// ledger of the release the project was built against, so that a changed
// deviation in another release is exactly what changed between them.
const containerLedger = "maxscale-24.02"

// noBackend is the --mariadb-image value that starts no MariaDB, for
// images that simulate their servers.
const noBackend = "none"

// containerMode is verify --container: the suite against MaxScale images
// started with testcontainers-go, one run per --maxscale-image, and a
// matrix of the verdicts.
type containerMode struct {
	on        bool
	mariadb   string
	maxscale  imageList
	matrixDir string
	timeout   time.Duration
}

// imageList is the repeatable --maxscale-image flag.
type imageList []string

func (l *imageList) String() string { return strings.Join(*l, ",") }

func (l *imageList) Set(v string) error {
	if v == "" {
		return errors.New("empty image name")
	}
	*l = append(*l, v)
	return nil
}

func newContainerMode(fs *flag.FlagSet) verifyMode {
	m := &containerMode{}
	fs.BoolVar(&m.on, "container", false, "run the suite against MaxScale started in containers (testcontainers-go, host networking: Linux); see docs/CONTAINERS.md")
	fs.Var(&m.maxscale, "maxscale-image", "MaxScale `IMAGE` for --container, repeatable: one run per image and a matrix report (default "+container.MaxScaleImage+")")
	fs.StringVar(&m.mariadb, "mariadb-image", "", "MariaDB `IMAGE` behind MaxScale for --container, or none (default "+container.MariaDBImage+"; none when every image simulates its servers, as mxharness/simulator:dev does)")
	fs.StringVar(&m.matrixDir, "matrix-dir", "mxharness-matrix", "`DIR` where --container writes matrix.md and one JUnit file per image")
	fs.DurationVar(&m.timeout, "startup-timeout", 2*time.Minute, "how long --container waits for each container to be ready")
	return m
}

// chosen is true for --container, and for --maxscale-image alone so that
// run can say that it needs --container.
func (m *containerMode) chosen() bool { return m.on || len(m.maxscale) > 0 }

func (m *containerMode) run(ctx context.Context, cfg verifyConfig, stdout, stderr io.Writer) int {
	if !m.on {
		fmt.Fprintln(stderr, "mxharness verify: --maxscale-image needs --container")
		return verifyUsage
	}
	if len(m.maxscale) == 0 {
		m.maxscale = imageList{container.MaxScaleImage}
	}
	if !cfg.ledgerSet {
		cfg.ledger = containerLedger
	}
	return runContainerMatrix(ctx, m, cfg, stdout, stderr)
}

// runContainerMatrix starts MariaDB (unless none), then for each MaxScale
// image starts it, runs the suite, writes its JUnit report and tears it
// down; it ends with the matrix on stdout and in the matrix directory.
// Containers are terminated on every path, Ctrl-C included, and their logs
// go to stderr when a container does not start or a scenario fails.
func runContainerMatrix(ctx context.Context, m *containerMode, cfg verifyConfig, stdout, stderr io.Writer) int {
	// testcontainers' own chatter (banners, emoji per step) is not for a
	// verify user; what matters is printed below.
	tclog.SetDefault(tclog.NewNoopLogger())
	quiet := testcontainers.WithLogger(tclog.NewNoopLogger())

	if err := checkImages(ctx, m); err != nil {
		fmt.Fprintf(stderr, "mxharness verify: %v\n", oneLine(err))
		return verifyUsage
	}
	if err := os.MkdirAll(m.matrixDir, 0o755); err != nil {
		fmt.Fprintf(stderr, "mxharness verify: %v\n", err)
		return verifyUsage
	}

	db, stopBackend, err := startBackend(ctx, m, quiet, stderr)
	defer stopBackend()
	if err != nil {
		fmt.Fprintf(stderr, "mxharness verify: %v\n", oneLine(err))
		return verifyUsage
	}

	runs := make([]matrixRun, 0, len(m.maxscale))
	status := verifyPass
	for _, img := range m.maxscale {
		if ctx.Err() != nil {
			break
		}
		run := runImage(ctx, m, img, db, quiet, cfg, stderr)
		runs = append(runs, run)
		status = max(status, run.status)
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "mxharness verify: interrupted; removing the containers")
		return verifyUsage
	}
	if err := writeMatrixFiles(stdout, m.matrixDir, cfg.ledger, runs); err != nil {
		fmt.Fprintf(stderr, "mxharness verify: %v\n", err)
		return verifyUsage
	}
	return status
}

// checkImages makes sure every image is present before anything starts,
// and chooses the backend when --mariadb-image was not given: none when
// every MaxScale image simulates its servers, MariaDBImage otherwise.
func checkImages(ctx context.Context, m *containerMode) error {
	if err := container.CheckReaper(ctx); err != nil {
		return err
	}
	needed := false
	for _, img := range m.maxscale {
		needs, err := container.NeedsBackend(ctx, img, container.PullHint(img))
		if err != nil {
			return err
		}
		needed = needed || needs
	}
	if m.mariadb == "" {
		m.mariadb = noBackend
		if needed {
			m.mariadb = container.MariaDBImage
		}
	}
	if m.mariadb == noBackend {
		return nil
	}
	return container.CheckImage(ctx, m.mariadb, container.PullHint(m.mariadb))
}

// backend is server1 of every MaxScale of a run.
type backend struct {
	addr string
	// logs prints the backend container's logs (nothing for none).
	logs func()
}

// startBackend starts MariaDB unless --mariadb-image none, and returns it
// (a port nothing listens on for none) and the function that removes it.
func startBackend(ctx context.Context, m *containerMode, quiet testcontainers.ContainerCustomizer, stderr io.Writer) (backend, func(), error) {
	if m.mariadb == noBackend {
		ports, err := container.FreePorts(1)
		if err != nil {
			return backend{}, func() {}, err
		}
		return backend{addr: fmt.Sprintf("127.0.0.1:%d", ports[0]), logs: func() {}}, func() {}, nil
	}
	fmt.Fprintf(stderr, "verify: starting %s\n", m.mariadb)
	db, err := container.RunMariaDB(ctx, m.mariadb, quiet, container.WithHostNetwork(),
		container.WithStartupTimeout(m.timeout))
	stop := func() { terminate(ctx, db, stderr) }
	if db == nil {
		return backend{}, stop, err
	}
	b := backend{addr: db.Addr, logs: func() { printLogs(ctx, stderr, m.mariadb, db) }}
	if err != nil {
		b.logs()
	}
	return b, stop, err
}

// runImage runs the suite against one MaxScale image and tears it down.
// When the image does not start or a scenario fails, its logs and the
// backend's go to stderr.
func runImage(ctx context.Context, m *containerMode, img string, db backend, quiet testcontainers.ContainerCustomizer, cfg verifyConfig, stderr io.Writer) matrixRun {
	fmt.Fprintf(stderr, "verify: starting %s\n", img)
	mxs, err := container.RunMaxScale(ctx, img, quiet, container.WithHostNetwork(),
		container.WithBackend(db.addr), container.WithStartupTimeout(m.timeout))
	// On Ctrl-C the container goes at once: the suite's requests then fail
	// fast instead of the run waiting for every scenario to finish.
	var once sync.Once
	remove := func() { once.Do(func() { terminate(ctx, mxs, stderr) }) }
	defer context.AfterFunc(ctx, remove)()
	defer remove()
	logs := func() {
		if ctx.Err() != nil {
			return // interrupted: the container is gone, and so is the reason to read it
		}
		if mxs != nil {
			printLogs(ctx, stderr, img, mxs)
		}
		db.logs()
	}
	if err != nil {
		logs()
		fmt.Fprintf(stderr, "mxharness verify: %s did not start: %v\n", img, oneLine(err))
		return matrixRun{image: img, err: err, status: verifyUsage}
	}
	tgt := steps.Target{
		Name:     img,
		APIURL:   mxs.APIURL,
		SQLAddrs: mxs.Listeners,
		User:     container.AdminUser, Password: container.AdminPassword,
		SQLUser: container.SQLUser, SQLPassword: container.SQLPassword,
	}
	if mxs.ReadOnly {
		tgt.ReadOnlyUser, tgt.ReadOnlyPassword = container.ReadOnlyUser, container.ReadOnlyPassword
	}
	fmt.Fprintf(stderr, "verify: running the suite against %s (REST %s, ledger %s)\n", img, mxs.APIURL, cfg.ledger)
	godogFormat, reports := imageOutputs(cfg.outputs, img)
	res, err := steps.Run(ctx, tgt, steps.Options{
		Tags: cfg.tags, Ledger: cfg.ledger, Concurrency: cfg.concurrency, Format: godogFormat, Output: stderr,
	})
	if ctx.Err() != nil {
		// Interrupted: what the scenarios met after Ctrl-C says nothing
		// about the image; no reports.
		return matrixRun{image: img, err: ctx.Err(), status: verifyUsage}
	}
	if err != nil {
		logs()
		fmt.Fprintf(stderr, "mxharness verify: run the suite against %s: %v\n", img, err)
		return matrixRun{image: img, err: err, status: verifyUsage}
	}
	reports = append(reports, output{format: "junit", path: filepath.Join(m.matrixDir, imageSlug(img)+".junit.xml")})
	for _, o := range reports {
		if err := writeReport(o, res, io.Discard); err != nil {
			fmt.Fprintf(stderr, "mxharness verify: %v\n", err)
		}
	}
	fmt.Fprintln(stderr)
	if err := report.Summary(stderr, res); err != nil {
		fmt.Fprintf(stderr, "mxharness verify: %v\n", err)
	}
	status := verdictLine(stderr, res, cfg)
	if status != verifyPass {
		logs()
	}
	return matrixRun{image: img, result: res, status: status}
}

// imageOutputs turns verify's --format flags into one image's: each
// FORMAT:FILE gets its own file per image (FILE with the image's name
// before the extension), godog's formats through the run's format string
// and junit/html as reports to write from the result. Formats without a
// file are dropped: stdout carries the matrix, and the run shows godog's
// progress on stderr.
func imageOutputs(outs outputs, img string) (godogFormat string, reports []output) {
	formats := []string{"progress"}
	for _, o := range outs {
		if o.path == "" {
			continue
		}
		ext := filepath.Ext(o.path)
		path := strings.TrimSuffix(o.path, ext) + "." + imageSlug(img) + ext
		if slices.Contains(godogFormats, o.format) {
			formats = append(formats, o.format+":"+path)
			continue
		}
		reports = append(reports, output{format: o.format, path: path})
	}
	return strings.Join(formats, ","), reports
}

// terminate removes a container, also after Ctrl-C has cancelled ctx.
func terminate(ctx context.Context, c testcontainers.Container, stderr io.Writer) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := testcontainers.TerminateContainer(c, testcontainers.StopContext(ctx)); err != nil {
		fmt.Fprintf(stderr, "mxharness verify: remove container: %v\n", err)
	}
}

// printLogs copies a container's output to stderr, each line prefixed
// with the image, so that a failure can be read without docker logs.
func printLogs(ctx context.Context, stderr io.Writer, img string, c testcontainers.Container) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	rc, err := c.Logs(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "mxharness verify: logs of %s: %v\n", img, err)
		return
	}
	defer rc.Close()
	fmt.Fprintf(stderr, "---- logs of %s\n", img)
	sc := bufio.NewScanner(rc)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		fmt.Fprintf(stderr, "[%s] %s\n", img, sc.Text())
	}
	fmt.Fprintf(stderr, "---- end of logs of %s\n", img)
}

// oneLine keeps the first line of an error: testcontainers' errors can
// carry multi-line wrapped causes, a verify user needs the first.
func oneLine(err error) string {
	line, _, _ := strings.Cut(err.Error(), "\n")
	return line
}

// imageSlug turns an image reference into a file name part:
// mariadb/maxscale:24.02 becomes mariadb-maxscale-24.02.
func imageSlug(img string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '-'
	}, img)
}
