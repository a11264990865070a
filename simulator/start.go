package simulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/mxharness/mxharness/simulator/config"
)

// shutdownTimeout bounds the REST API's graceful shutdown.
const shutdownTimeout = 10 * time.Second

// Running is a started simulator: the REST API and every service's SQL
// listener.
type Running struct {
	// APIURL is the REST API's base URL, e.g. http://127.0.0.1:8989.
	APIURL string
	// SQLAddrs maps each service to its listener's HOST:PORT.
	SQLAddrs map[string]string
	Server   *Server

	cancel context.CancelFunc
	done   chan struct{}
	err    error
	once   sync.Once
}

// Start builds a simulator and listens on cfg's API address and on every
// service's listener address (port 0 picks a free port). It serves until
// ctx ends or Close is called; Wait returns when everything has stopped.
func Start(ctx context.Context, cfg config.Config, opts ...Option) (*Running, error) {
	srv, err := New(cfg, opts...)
	if err != nil {
		return nil, err
	}
	var lns []net.Listener
	closeAll := func() {
		for _, ln := range lns {
			ln.Close()
		}
		srv.Close()
	}
	apiLn, err := net.Listen("tcp", cfg.API.Address)
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("listen for the REST API: %w", err)
	}
	lns = append(lns, apiLn)
	sqlLns := make(map[string]net.Listener, len(cfg.Services))
	run := &Running{APIURL: "http://" + apiLn.Addr().String(), SQLAddrs: map[string]string{},
		Server: srv, done: make(chan struct{})}
	for _, svc := range cfg.Services {
		ln, err := net.Listen("tcp", svc.Listener)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("listen for service %s: %w", svc.Name, err)
		}
		lns = append(lns, ln)
		sqlLns[svc.Name] = ln
		run.SQLAddrs[svc.Name] = ln.Addr().String()
	}
	ctx, run.cancel = context.WithCancel(ctx)
	httpSrv := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	errs := make(chan error, len(sqlLns)+1)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := httpSrv.Serve(apiLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- fmt.Errorf("REST API: %w", err)
		}
	})
	for name, ln := range sqlLns {
		wg.Go(func() {
			if err := srv.ServeMySQL(ctx, ln, name); err != nil {
				errs <- err
			}
		})
	}
	go func() {
		select {
		case <-ctx.Done():
		case err := <-errs:
			run.err = err
		}
		sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := httpSrv.Shutdown(sctx); err != nil && run.err == nil {
			run.err = fmt.Errorf("REST API shutdown: %w", err)
		}
		run.cancel() // stops the SQL listeners, which close their clients
		srv.Close()
		wg.Wait()
		close(run.done)
	}()
	return run, nil
}

// Close stops the simulator: the REST API shuts down gracefully, the SQL
// listeners stop, every client connection is closed. It waits for all of
// it and returns the first error that stopped the simulator, if any.
func (r *Running) Close() error {
	r.once.Do(r.cancel)
	return r.Wait()
}

// Wait blocks until the simulator has stopped and returns the error that
// stopped it, nil when it was asked to stop.
func (r *Running) Wait() error {
	<-r.done
	return r.err
}
