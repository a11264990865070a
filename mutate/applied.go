package mutate

import (
	"bytes"
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
)

// applied counts the exchanges a mutant changed: a request that reached
// the server other than the client sent it (or not at all), or a response
// that reached the client other than the server sent it. A mutant that
// changed none cannot be killed, and says nothing about the suite: in
// front of a running server it breaks a behaviour that server does not
// have (a 204 rewritten where MaxScale answers 200).
type applied struct{ n atomic.Int64 }

// exchange is one client request as it arrived at the proxy, and the
// first request the mutant passed on to the server with its response.
type exchange struct {
	in       *http.Request
	inBody   []byte
	reached  bool
	sameReq  bool
	upstream *httptest.ResponseRecorder
}

type exchangeKey struct{}

// outer wraps the mutant's middleware: it keeps the request as the client
// sent it and compares the response the client gets with the server's.
func (a *applied) outer(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		ex := &exchange{in: r.Clone(r.Context()), inBody: body}
		got := httptest.NewRecorder()
		h.ServeHTTP(got, r.WithContext(context.WithValue(r.Context(), exchangeKey{}, ex)))
		if !ex.reached || !ex.sameReq || !sameResponse(got, ex.upstream) {
			a.n.Add(1)
		}
		maps.Copy(w.Header(), got.Header())
		w.WriteHeader(got.Code)
		_, _ = w.Write(got.Body.Bytes())
	})
}

// inner wraps the reverse proxy: it records the first request of each
// exchange that reaches the server, and the server's response to it.
func (a *applied) inner(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ex, _ := r.Context().Value(exchangeKey{}).(*exchange)
		if ex == nil || ex.reached {
			next.ServeHTTP(w, r)
			return
		}
		ex.reached = true
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		ex.sameReq = r.Method == ex.in.Method && r.URL.String() == ex.in.URL.String() &&
			r.Host == ex.in.Host && sameHeader(r.Header, ex.in.Header) && bytes.Equal(body, ex.inBody)
		ex.upstream = httptest.NewRecorder()
		next.ServeHTTP(ex.upstream, r)
		maps.Copy(w.Header(), ex.upstream.Header())
		w.WriteHeader(ex.upstream.Code)
		_, _ = w.Write(ex.upstream.Body.Bytes())
	})
}

// sameResponse compares status, headers and body; Content-Length is left
// out, as the body says it (a mutant re-sending an empty body drops it).
func sameResponse(a, b *httptest.ResponseRecorder) bool {
	if b == nil || a.Code != b.Code || !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
		return false
	}
	ha, hb := a.Header().Clone(), b.Header().Clone()
	ha.Del("Content-Length")
	hb.Del("Content-Length")
	return sameHeader(ha, hb)
}

func sameHeader(a, b http.Header) bool {
	return maps.EqualFunc(a, b, slices.Equal[[]string])
}
