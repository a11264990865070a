package mutate

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"
)

// Env is what a mutant may know about the server behind the proxy: its
// admin account (to send requests of its own, or to let a request through
// that the server should refuse) and its read-only account.
type Env struct {
	User, Password string
	ReadOnlyUser   string
}

// Proxy returns a reverse proxy to the REST API at upstream with m's
// rewrite in front of it. The Host header is passed on as the client sent
// it, so that the server builds its links from the proxy's address, as it
// would from its own.
func Proxy(upstream *url.URL, m Mutant, env Env, logger *slog.Logger) http.Handler {
	return watchedProxy(upstream, m, env, logger, nil)
}

// watchedProxy is Proxy that, when a is not nil, counts in a the exchanges
// the mutant changed.
func watchedProxy(upstream *url.URL, m Mutant, env Env, logger *slog.Logger, a *applied) http.Handler {
	var rp http.Handler = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(upstream)
			pr.Out.Host = pr.In.Host
		},
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}
	if m.Rewrite == nil {
		return rp
	}
	if a == nil {
		return m.Rewrite(env)(rp)
	}
	return a.outer(m.Rewrite(env)(a.inner(rp)))
}

// serve serves h on a new loopback port and returns its base URL and a
// function that stops it.
func serve(h http.Handler, logger *slog.Logger) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen for the mutating proxy: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("mutating proxy", "err", err)
		}
	}()
	return "http://" + ln.Addr().String(), func() {
		_ = srv.Close()
		<-done
	}, nil
}
