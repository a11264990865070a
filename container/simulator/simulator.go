// Package simulator starts the mxharness simulator image in a container, in
// the style of a testcontainers-go module, so that a Go project can test its
// MaxScale REST API client against a simulated MaxScale with one call:
//
//	ctr, err := simulator.Run(ctx, simulator.Image,
//		container.WithHostNetwork(), // Linux; omit it to publish on 127.0.0.1 instead
//		simulator.WithProfile("documented"), simulator.WithSeed("demo"))
//	testcontainers.CleanupContainer(t, ctr)
//	if err != nil { t.Fatal(err) }
//	// ctr.APIURL, ctr.SQLAddr, ctr.AdminUser, ctr.AdminPassword, ...
//
// The image is built with `make image` (see the repository's Dockerfile).
// Run goes through container.RunMaxScale, the code that starts real
// MaxScale releases: the simulator image reads the same generated
// maxscale.cnf and answers the same readiness checks.
package simulator

import (
	"context"
	"fmt"

	"github.com/testcontainers/testcontainers-go"

	"github.com/mxharness/mxharness/container"
)

// Image is the image `make image` builds.
const Image = "mxharness/simulator:dev"

// BuildHint says how to get Image.
const BuildHint = "build it with: make image"

// configPath is where WithConfig's file goes in the container.
const configPath = "/etc/mxharness/config.yaml"

// Container is a running simulator.
type Container struct {
	*testcontainers.DockerContainer
	// APIURL is the REST API's base URL (without /v1) on 127.0.0.1.
	APIURL string
	// SQLAddr is RW-Split-Router's listener, ReadConnAddr
	// Read-Connection-Router's, both host:port on 127.0.0.1.
	SQLAddr, ReadConnAddr string
	// The REST API's admin account, its read-only (basic) account ("" when
	// a WithConfig file has none) and the SQL account of the listeners.
	AdminUser, AdminPassword       string
	ReadOnlyUser, ReadOnlyPassword string
	SQLUser, SQLPassword           string
}

// Option is a simulator setting. It is a ContainerCustomizer, so it goes
// in the same list as testcontainers' options; its Customize does nothing,
// Run reads it.
type Option func(*options)

type options struct {
	profile, seed, config string
}

// Customize implements testcontainers.ContainerCustomizer; see Option.
func (Option) Customize(*testcontainers.GenericContainerRequest) error { return nil }

// WithProfile chooses the simulator's profile: maxscale-24.02 (the default:
// behaves like MaxScale 24.02.4) or documented (behaves as the docs say).
func WithProfile(name string) Option { return func(o *options) { o.profile = name } }

// WithSeed loads a named set of synthetic sessions at start (e.g. "demo").
func WithSeed(name string) Option { return func(o *options) { o.seed = name } }

// WithConfig gives the simulator a configuration file (YAML, see
// docs/CONFIG.md) from the host. The REST API's and the listeners' addresses
// are still the ones Run chooses.
func WithConfig(hostPath string) Option { return func(o *options) { o.config = hostPath } }

// Run starts the simulator image img and waits until its REST API and its
// RW-Split-Router listener answer. It returns the container even on error,
// so that the caller can always terminate it.
func Run(ctx context.Context, img string, opts ...testcontainers.ContainerCustomizer) (*Container, error) {
	if err := container.CheckImage(ctx, img, BuildHint); err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		if f, ok := opt.(Option); ok {
			f(&o)
		}
	}
	// The image's command reads /etc/maxscale.cnf; what follows "--" goes
	// to mxharness serve.
	cmd := []string{"serve-cnf", "--cnf", "/etc/maxscale.cnf", "--"}
	defaults := []testcontainers.ContainerCustomizer{}
	if o.profile != "" {
		cmd = append(cmd, "--profile", o.profile)
	}
	if o.seed != "" {
		cmd = append(cmd, "--seed", o.seed)
	}
	if o.config != "" {
		cmd = append(cmd, "--config", configPath)
		defaults = append(defaults, testcontainers.WithFiles(testcontainers.ContainerFile{
			HostFilePath: o.config, ContainerFilePath: configPath, FileMode: 0o644,
		}))
	}
	defaults = append(defaults, testcontainers.WithCmd(cmd...))
	m, err := container.RunMaxScale(ctx, img, append(defaults, opts...)...)
	var c *Container
	if m != nil {
		c = &Container{
			DockerContainer: m.DockerContainer,
			APIURL:          m.APIURL,
			SQLAddr:         m.Listeners[container.RWSplitRouter],
			ReadConnAddr:    m.Listeners[container.ReadConnRouter],
			AdminUser:       container.AdminUser, AdminPassword: container.AdminPassword,
			SQLUser: container.SQLUser, SQLPassword: container.SQLPassword,
		}
		if m.ReadOnly {
			c.ReadOnlyUser, c.ReadOnlyPassword = container.ReadOnlyUser, container.ReadOnlyPassword
		}
	}
	if err != nil {
		return c, fmt.Errorf("simulator: %w", err)
	}
	return c, nil
}
