package auth_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/mxharness/mxharness/simulator/auth"
	"github.com/mxharness/mxharness/simulator/jsonapi"
)

// The order an HTTP handler follows: authorise first (before routing and
// before reading the body), then parse the body, then /v1/auth, then the
// verb after X-HTTP-Method-Override (405 after auth), then route.
func Example() {
	a := auth.New(auth.DefaultUsers())
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := a.Authorize(r)
		if !d.Allowed {
			d.Reply.Write(w) // static 401/403: exact bytes, no Content-Type
			return
		}
		// Read and parse the body here (invalid JSON → 400).
		if auth.IsAuthEndpoint(r) {
			rep := a.TokenReply(r, d.Identity)
			writeReply(w, r, rep)
			return
		}
		method, status := auth.EffectiveMethod(r)
		if status != http.StatusOK {
			w.WriteHeader(status) // 405, empty
			return
		}
		fmt.Fprintf(w, "route %s %s as %s", method, r.URL.Path, d.Identity.User)
	})

	for _, req := range []struct{ user, method, path, override string }{
		{"", "GET", "/v1/sessions/1", ""},
		{"admin", "GET", "/v1/sessions/1", "patch"},
		{"admin", "GET", "/v1/sessions/1", "DELETE"},
		{"basic", "GET", "/v1/sessions/1", "DELETE"},
		{"basic", "DELETE", "/v1/sessions/1", ""},
		{"basic", "GET", "/v1/auth?persist=yes", ""},
	} {
		r := httptest.NewRequest(req.method, req.path, nil)
		if req.user != "" {
			r.SetBasicAuth(req.user, "mariadb")
		}
		if req.override != "" {
			r.Header.Set("X-HTTP-Method-Override", req.override)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		body, _ := io.ReadAll(rec.Body)
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%d %s %.10s", rec.Code, body, rec.Header().Get("Set-Cookie"))))
	}
	// Output:
	// 401 {"errors": [ { "detail": "Access denied" } ] }
	// 405
	// 200 route DELETE /v1/sessions/1 as admin
	// 403 {"errors": [ { "detail": "Administrative access required" } ] }
	// 401 {"errors": [ { "detail": "Access denied" } ] }
	// 204  token_sig=
}

// writeReply stands in for the simulator's common reply writer: static
// replies go out as they are; others get the usual headers and a
// marshalled document.
func writeReply(w http.ResponseWriter, r *http.Request, rep auth.Reply) {
	if rep.Static() {
		rep.Write(w)
		return
	}
	for k, vs := range rep.Header {
		w.Header()[k] = vs
	}
	if rep.Doc == nil {
		w.WriteHeader(rep.Status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rep.Status)
	_, _ = w.Write(jsonapi.Marshal(rep.Doc, jsonapi.Pretty(jsonapi.ParseQuery(r.URL.RawQuery))))
}
