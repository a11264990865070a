package bench

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mxharness/mxharness/spec"
)

// PrismCommand is Prism 5.16's mock server on the contract, as a frontend
// team would run it instead of the simulator.
var PrismCommand = []string{"npx", "--yes", "@stoplight/prism-cli@5.16.0", "mock", "{spec}", "-p", "{port}", "-h", "127.0.0.1"}

// prismStartTimeout covers npx fetching Prism on first use.
const prismStartTimeout = 5 * time.Minute

// Prism is a running Prism mock server.
type Prism struct {
	URL string
	cmd *exec.Cmd
	dir string
}

// StartPrism writes the embedded contract to a temporary file, runs
// command ({spec} and {port} replaced) in a process group of its own and
// waits until it answers on loopback.
func StartPrism(ctx context.Context, command []string) (*Prism, error) {
	dir, err := os.MkdirTemp("", "mxh-prism-")
	if err != nil {
		return nil, err
	}
	specPath := filepath.Join(dir, "sessions.yaml")
	if err := os.WriteFile(specPath, spec.YAML(), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	args := make([]string, len(command))
	for i, a := range command {
		args[i] = strings.NewReplacer("{spec}", specPath, "{port}", strconv.Itoa(port)).Replace(a)
	}
	logFile, err := os.Create(filepath.Join(dir, "prism.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(args[0], args[1:]...)
	// npx starts node as a child: a group of its own lets Stop end both.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start Prism (%s): %w", strings.Join(args, " "), err)
	}
	p := &Prism{URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, dir: dir}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.NewTimer(prismStartTimeout)
	defer deadline.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/sessions", nil)
		req.SetBasicAuth("admin", "mariadb")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			return p, nil
		}
		select {
		case err := <-exited:
			log, _ := os.ReadFile(logFile.Name())
			os.RemoveAll(dir)
			return nil, fmt.Errorf("Prism exited before answering (%v): %s", err, tail(log, 2000))
		case <-deadline.C:
			p.Stop()
			return nil, fmt.Errorf("Prism did not answer on %s within %v", p.URL, prismStartTimeout)
		case <-ctx.Done():
			p.Stop()
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// Stop ends Prism's process group and removes its files.
func (p *Prism) Stop() {
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		for syscall.Kill(-pgid, 0) == nil {
			time.Sleep(100 * time.Millisecond)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
	os.RemoveAll(p.dir)
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
