package container

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// MaxScaleImage is the pinned default MaxScale release.
const MaxScaleImage = "mariadb/maxscale:24.02"

// cnfPath is where MaxScale (and the simulator image) read their
// configuration from.
const cnfPath = "/etc/maxscale.cnf"

// MaxScale's read-only REST account of the scenarios (account type basic),
// which RunMaxScale creates when the image does not have it.
const (
	ReadOnlyUser     = "basic"
	ReadOnlyPassword = "mariadb"
)

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
	// ReadOnly is true when the read-only REST account ReadOnlyUser can
	// log in (RunMaxScale creates it when the image lets it).
	ReadOnly bool
}

// Option is a setting of this package's Run functions. It is a
// ContainerCustomizer, so it goes in the same list as testcontainers'
// options; its Customize does nothing, RunMaxScale and RunMariaDB read it.
type Option func(*options)

type options struct {
	backend string
	timeout time.Duration
}

// Customize implements testcontainers.ContainerCustomizer; see Option.
func (Option) Customize(*testcontainers.GenericContainerRequest) error { return nil }

// readOptions applies the Options among opts over the defaults.
func readOptions(opts []testcontainers.ContainerCustomizer) options {
	o := options{timeout: 2 * time.Minute}
	for _, opt := range opts {
		if f, ok := opt.(Option); ok {
			f(&o)
		}
	}
	return o
}

// WithBackend sets server1's address (host:port), usually a MariaDB
// container's Addr. Without it server1 points at 127.0.0.1:3306.
func WithBackend(addr string) Option { return func(o *options) { o.backend = addr } }

// WithStartupTimeout bounds the wait until a container is ready (default
// two minutes): for MaxScale, its REST API and a SQL login through a
// listener; for MariaDB, a SQL login.
func WithStartupTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// RunMaxScale starts img with a generated maxscale.cnf (see
// MaxScaleConfig.Render) at /etc/maxscale.cnf, and waits until GET
// /v1/maxscale answers the admin account and SQLUser can run a query
// through RW-Split-Router's listener (which with a real MaxScale means
// the monitor has found server1). Then it creates the read-only REST
// account ReadOnlyUser if the image has none (see ReadOnly). The image's own entrypoint and command
// are kept: any image that reads /etc/maxscale.cnf like MaxScale works.
// Nothing is pulled: an image that is not present locally is an error
// wrapping ErrImageNotFound.
func RunMaxScale(ctx context.Context, img string, opts ...testcontainers.ContainerCustomizer) (*MaxScaleContainer, error) {
	o := readOptions(opts)
	if err := CheckImage(ctx, img, PullHint(img)); err != nil {
		return nil, err
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
	if m.ReadOnly, err = ensureReadOnlyUser(ctx, m.APIURL); err != nil {
		return m, fmt.Errorf("maxscale %s: %w", img, err)
	}
	return m, nil
}

// ensureReadOnlyUser makes sure the REST API has the read-only account
// ReadOnlyUser (MaxScale's "basic" account type), which the scenarios about
// read-only access use, and reports whether it has. MaxScale keeps REST
// users outside maxscale.cnf, so it is created through the API (POST
// /v1/users/inet) unless it can already log in, as on the simulator. A
// server that refuses to create it just has none; only a failure to talk
// to it is an error.
func ensureReadOnlyUser(ctx context.Context, apiURL string) (bool, error) {
	status, err := restCall(ctx, http.MethodGet, apiURL+"/v1/maxscale", ReadOnlyUser, ReadOnlyPassword, nil)
	if err != nil || status == http.StatusOK {
		return err == nil, err
	}
	body := fmt.Sprintf(`{"data":{"id":%q,"type":"inet","attributes":{"password":%q,"account":"basic"}}}`, ReadOnlyUser, ReadOnlyPassword)
	status, err = restCall(ctx, http.MethodPost, apiURL+"/v1/users/inet", AdminUser, AdminPassword, strings.NewReader(body))
	return err == nil && (status == http.StatusNoContent || status == http.StatusOK), err
}

// restCall sends one request with basic authentication and returns the
// response's status.
func restCall(ctx context.Context, method, url, user, password string, body io.Reader) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return 0, err
	}
	req.SetBasicAuth(user, password)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	// Each call is bounded on its own: ctx is the whole start-up's.
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func tcp(port int) string { return strconv.Itoa(port) + "/tcp" }
