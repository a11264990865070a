// Package container starts MaxScale, MariaDB and the mxharness simulator in
// containers with testcontainers-go, the way testcontainers modules do:
// RunMaxScale(ctx, image, opts...) applies this package's defaults first and
// the caller's options after them, and returns the container even when it
// fails to start so that the caller can always terminate it.
//
// Containers publish nothing but loopback. With WithHostNetwork (Linux only)
// they share the host's network and every port is chosen free on 127.0.0.1
// before the container starts, so containers never collide with each other
// or with a local mxharness serve. Without it, they are on testcontainers'
// own bridge network and each port is published on 127.0.0.1 under a port
// the daemon picks (a daemon started with --bridge=none still lets
// testcontainers create that network).
package container

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"testing"

	"github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// MaxScale's defaults, which the generated configuration and the simulator
// image share with every other part of mxharness.
const (
	AdminUser     = "admin"
	AdminPassword = "mariadb"
	SQLUser       = "maxuser"
	SQLPassword   = "maxpwd"

	RWSplitRouter  = "RW-Split-Router"
	ReadConnRouter = "Read-Connection-Router"

	// The ports MaxScale listens on inside a container that has a network of
	// its own; with host networking free host ports replace them.
	RESTPort     = 8989
	RWSplitPort  = 4006
	ReadConnPort = 4008
)

// loopback is the only address containers bind and clients connect to.
const loopback = "127.0.0.1"

// ErrImageNotFound is returned, wrapped in a message naming the image and
// how to get it, when an image is not present locally. Nothing is pulled
// implicitly: a run against a release is only as good as the image that
// was meant, and on machines without a registry a pull attempt only hangs.
var ErrImageNotFound = errors.New("image not present locally")

// CheckImage returns nil when img is present in the local image store, and
// an error wrapping ErrImageNotFound whose text names the image and hint
// (how to get it) otherwise.
func CheckImage(ctx context.Context, img, hint string) error {
	_, err := imageLabels(ctx, img, hint)
	return err
}

// LabelSimulatedServers is the image label (value "true") of an image that
// behaves like MaxScale but simulates its servers, like the simulator image:
// it needs no MariaDB behind it.
const LabelSimulatedServers = "io.github.mxharness.simulated-servers"

// NeedsBackend reports whether img needs a real server behind it: false
// for an image labelled LabelSimulatedServers. An absent image is an error
// wrapping ErrImageNotFound, as for CheckImage.
func NeedsBackend(ctx context.Context, img, hint string) (bool, error) {
	labels, err := imageLabels(ctx, img, hint)
	return labels[LabelSimulatedServers] != "true", err
}

// imageLabels returns the labels of a local image.
func imageLabels(ctx context.Context, img, hint string) (map[string]string, error) {
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot reach a Docker daemon: %w", err)
	}
	defer cli.Close()
	res, err := cli.ImageInspect(ctx, img)
	if err != nil {
		if errdefs.IsNotFound(err) {
			return nil, fmt.Errorf("%w: %s (%s)", ErrImageNotFound, img, hint)
		}
		return nil, fmt.Errorf("inspect image %s: %w", img, err)
	}
	if res.Config == nil {
		return nil, nil
	}
	return res.Config.Labels, nil
}

// CheckReaper returns nil when testcontainers' reaper is disabled or its
// image is present, and an error wrapping ErrImageNotFound otherwise: every
// container start would first try to pull it.
func CheckReaper(ctx context.Context) error {
	// The reap label is on every container exactly when the reaper is on
	// (TESTCONTAINERS_RYUK_DISABLED, or ryuk.disabled in the properties file).
	if testcontainers.GenericLabels()["org.testcontainers.reap"] != "true" {
		return nil
	}
	//nolint:staticcheck // the library's own reaper image name, whatever its version
	img := testcontainers.ReaperDefaultImage
	return CheckImage(ctx, img, PullHint(img)+", or set TESTCONTAINERS_RYUK_DISABLED=true where the containers are removed anyway (CI)")
}

// PullHint is the usual way to get a published image.
func PullHint(img string) string { return "get it with: docker pull " + img }

// WithHostNetwork runs the container in the host's network namespace
// (Linux only). The container is attached to no other network, and the
// packages' Run functions then choose free loopback ports for it.
func WithHostNetwork() testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		req.Networks = nil
		req.ExposedPorts = nil
		prev := req.HostConfigModifier
		req.HostConfigModifier = func(hc *container.HostConfig) {
			if prev != nil {
				prev(hc)
			}
			hc.NetworkMode = "host"
			hc.PortBindings = nil
		}
		// testcontainers attaches every container to a default network;
		// a host-network container must have no endpoint at all.
		req.EndpointSettingsModifier = func(es map[string]*network.EndpointSettings) {
			clear(es)
		}
		return nil
	}
}

// UsesHostNetwork reports whether the options make the container share the
// host's network.
func UsesHostNetwork(opts []testcontainers.ContainerCustomizer) (bool, error) {
	var req testcontainers.GenericContainerRequest
	for _, o := range opts {
		if err := o.Customize(&req); err != nil {
			return false, err
		}
	}
	if req.HostConfigModifier == nil {
		return false, nil
	}
	var hc container.HostConfig
	req.HostConfigModifier(&hc)
	return hc.NetworkMode == "host", nil
}

// publishLoopback binds every exposed port of a bridged container to
// 127.0.0.1 only (Docker's default would be every interface).
func publishLoopback(ports ...int) testcontainers.CustomizeRequestOption {
	return func(req *testcontainers.GenericContainerRequest) error {
		prev := req.HostConfigModifier
		req.HostConfigModifier = func(hc *container.HostConfig) {
			if prev != nil {
				prev(hc)
			}
			if hc.NetworkMode == "host" {
				return
			}
			if hc.PortBindings == nil {
				hc.PortBindings = network.PortMap{}
			}
			for _, p := range ports {
				port, _ := network.PortFrom(uint16(p), network.TCP)
				hc.PortBindings[port] = []network.PortBinding{{HostIP: netip.AddrFrom4([4]byte{127, 0, 0, 1}), HostPort: "0"}}
			}
		}
		return nil
	}
}

// FreePorts returns n distinct TCP ports that are free on 127.0.0.1 now.
// All n listeners are open at once so that no port is returned twice; they
// are closed before returning, and the caller hands the ports to a process
// that binds them shortly after.
func FreePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	for range n {
		ln, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
		if err != nil {
			return nil, fmt.Errorf("choose a free port: %w", err)
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// hostPort joins the loopback address and a port.
func hostPort(port int) string { return net.JoinHostPort(loopback, strconv.Itoa(port)) }

// onLoopback makes a wait strategy reach the container on 127.0.0.1.
// testcontainers takes the host from the daemon, which inside a container
// (a CI job, a dev container) is the gateway of a bridge network; the ports
// here are only ever bound on the loopback interface of the daemon's host,
// which the harness shares.
func onLoopback(s wait.Strategy) wait.Strategy {
	return wait.ForNop(func(ctx context.Context, t wait.StrategyTarget) error {
		return s.WaitUntilReady(ctx, loopbackTarget{t})
	})
}

type loopbackTarget struct{ wait.StrategyTarget }

func (loopbackTarget) Host(context.Context) (string, error) { return loopback, nil }

// SkipIfImageAbsent skips the test, with a message naming img and hint (how
// to get it), when no Docker daemon answers or img (or the reaper's image,
// see CheckReaper) is not present locally: an absent image never fails a
// test. Any other error fails it.
func SkipIfImageAbsent(t *testing.T, img, hint string) {
	t.Helper()
	testcontainers.SkipIfProviderIsNotHealthy(t)
	err := CheckReaper(t.Context())
	if err == nil {
		err = CheckImage(t.Context(), img, hint)
	}
	switch {
	case errors.Is(err, ErrImageNotFound):
		t.Skip(err)
	case err != nil:
		t.Fatal(err)
	}
}
