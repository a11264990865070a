package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"

	"github.com/mxharness/mxharness/container"
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
	on       bool
	mariadb  string
	maxscale imageList
	timeout  time.Duration
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
	if err := checkTargetLedgers(cfg, m.maxscale); err != nil {
		fmt.Fprintf(stderr, "mxharness verify: %v\n", err)
		return verifyUsage
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
	if err := os.MkdirAll(cfg.matrixDir, 0o755); err != nil {
		fmt.Fprintf(stderr, "mxharness verify: %v\n", err)
		return verifyUsage
	}

	db, stopBackend, err := startBackend(ctx, m, quiet, stderr)
	defer stopBackend()
	if err != nil {
		fmt.Fprintf(stderr, "mxharness verify: %v\n", oneLine(err))
		return verifyUsage
	}

	return runMatrix(ctx, cfg, len(m.maxscale), func(i int) matrixRun {
		return runImage(ctx, m, m.maxscale[i], db, quiet, cfg, stderr)
	}, "removing the containers", stdout, stderr)
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
	ledger := cfg.ledgerFor(img)
	if err != nil {
		logs()
		fmt.Fprintf(stderr, "mxharness verify: %s did not start: %v\n", img, oneLine(err))
		return matrixRun{name: img, ledger: ledger, err: err, status: verifyUsage}
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
	cfg.ledger = ledger
	run := runMatrixTarget(ctx, img, tgt, cfg, stderr)
	if run.status != verifyPass {
		logs()
	}
	return run
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
