package container

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// MaxScaleImage is the pinned default MaxScale release.
const MaxScaleImage = "mariadb/maxscale:24.02"

// cnfPath is where MaxScale (and the simulator image) read their
// configuration from.
const cnfPath = "/etc/maxscale.cnf"

// MaxScaleContainer is a running MaxScale, or an image that behaves like one.
type MaxScaleContainer struct {
	*testcontainers.DockerContainer
	// Config is what its maxscale.cnf says (container-side ports).
	Config MaxScaleConfig
	// APIURL is the REST API's base URL on 127.0.0.1, without /v1.
	APIURL string
	// Listeners maps RWSplitRouter and ReadConnRouter to host:port on
	// 127.0.0.1 where SQL clients reach them.
	Listeners map[string]string
}

// Option is a MaxScale-specific setting. It is a ContainerCustomizer, so it
// goes in the same list as testcontainers' options; its Customize does
// nothing, RunMaxScale reads it.
type Option func(*options)

type options struct {
	backend string
	timeout time.Duration
}

// Customize implements testcontainers.ContainerCustomizer; see Option.
func (Option) Customize(*testcontainers.GenericContainerRequest) error { return nil }

// WithBackend sets server1's address (host:port), usually a MariaDB
// container's Addr. Without it server1 points at 127.0.0.1:3306.
func WithBackend(addr string) Option { return func(o *options) { o.backend = addr } }

// WithStartupTimeout bounds the wait for the REST API and the first SQL
// login through a listener (default one minute).
func WithStartupTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// RunMaxScale starts img with a generated maxscale.cnf (see
// MaxScaleConfig.Render) at /etc/maxscale.cnf, and waits until GET
// /v1/maxscale answers the admin account and SQLUser can run a query
// through RW-Split-Router's listener (which with a real MaxScale means
// the monitor has found server1). The image's own entrypoint and command
// are kept: any image that reads /etc/maxscale.cnf like MaxScale works.
func RunMaxScale(ctx context.Context, img string, opts ...testcontainers.ContainerCustomizer) (*MaxScaleContainer, error) {
	o := options{timeout: time.Minute}
	for _, opt := range opts {
		if f, ok := opt.(Option); ok {
			f(&o)
		}
	}
	host, err := UsesHostNetwork(opts)
	if err != nil {
		return nil, fmt.Errorf("maxscale: %w", err)
	}
	cfg := DefaultMaxScaleConfig()
	if o.backend != "" {
		cfg.Backend = o.backend
	}
	if host {
		ports, err := FreePorts(3)
		if err != nil {
			return nil, fmt.Errorf("maxscale: %w", err)
		}
		cfg.RESTPort, cfg.RWSplitPort, cfg.ReadConnPort = ports[0], ports[1], ports[2]
	} else {
		cfg.Bind = "0.0.0.0" // inside the container's own network; published on loopback only
	}
	cnf, err := cfg.Render()
	if err != nil {
		return nil, err
	}
	rest, rw, rc := tcp(cfg.RESTPort), tcp(cfg.RWSplitPort), tcp(cfg.ReadConnPort)
	defaults := []testcontainers.ContainerCustomizer{
		testcontainers.WithFiles(testcontainers.ContainerFile{
			Reader: bytes.NewReader(cnf), ContainerFilePath: cnfPath, FileMode: 0o644,
		}),
		testcontainers.WithExposedPorts(rest, rw, rc),
		publishLoopback(cfg.RESTPort, cfg.RWSplitPort, cfg.ReadConnPort),
		testcontainers.WithWaitStrategyAndDeadline(o.timeout,
			onLoopback(wait.ForHTTP("/v1/maxscale").WithPort(rest).
				WithBasicAuth(AdminUser, AdminPassword).WithStartupTimeout(o.timeout)),
			sqlReady(rw, "", o.timeout),
		),
	}
	c, err := testcontainers.Run(ctx, img, append(defaults, opts...)...)
	var m *MaxScaleContainer
	if c != nil {
		m = &MaxScaleContainer{DockerContainer: c, Config: cfg}
	}
	if err != nil {
		return m, fmt.Errorf("run maxscale %s: %w", img, err)
	}
	api, err := loopbackEndpoint(ctx, c, rest)
	if err != nil {
		return m, fmt.Errorf("maxscale: %w", err)
	}
	m.APIURL = "http://" + api
	m.Listeners = map[string]string{}
	for service, port := range map[string]string{RWSplitRouter: rw, ReadConnRouter: rc} {
		if m.Listeners[service], err = loopbackEndpoint(ctx, c, port); err != nil {
			return m, fmt.Errorf("maxscale: %w", err)
		}
	}
	return m, nil
}

func tcp(port int) string { return strconv.Itoa(port) + "/tcp" }
