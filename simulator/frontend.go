package simulator

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/mxharness/mxharness/spec"
)

// WithCORS answers browsers as MaxScale does with its debug option
// cors-allow-origin=ORIGIN (catalogue §5.8): an OPTIONS with Origin is a
// 200 preflight without authentication, and every reply to a request with
// Origin carries the Access-Control headers. origin "*" allows any. Off by
// default, as in MaxScale.
//
// Unlike MaxScale, the static 401/403/invalid-JSON replies get the headers
// too: without them a browser hides the status behind a network error, and
// a frontend cannot tell "log in" from "server down".
func WithCORS(origin string) Option { return func(o *options) { o.cors = origin } }

// WithStrictRequests validates every request the contract routes against
// the contract (spec.ValidateRequest) after authentication and before the
// handler, and answers a departure with a 400 naming the rule and the JSON
// path, so a frontend team finds its own client's mistakes. Requests the
// contract does not route keep MaxScale's answers.
func WithStrictRequests() Option { return func(o *options) { o.strict = true } }

// corsHeaders adds MaxScale's CORS headers when CORS is on and r has an
// Origin (adm.cc:737-775, 1128-1131).
func (s *Server) corsHeaders(h http.Header, r *http.Request) {
	origin := r.Header.Get("Origin")
	if s.cors == "" || origin == "" {
		return
	}
	allow := s.cors
	if allow != "*" {
		allow = origin
	}
	h.Set("Access-Control-Allow-Origin", allow)
	h.Set("Access-Control-Allow-Credentials", "true")
	h.Set("Vary", "Origin")
	if v := r.Header.Get("Access-Control-Request-Headers"); v != "" {
		h.Set("Access-Control-Allow-Headers", v)
	}
	if v := r.Header.Get("Access-Control-Request-Method"); v != "" {
		h.Set("Access-Control-Allow-Methods", v)
	}
}

// preflight answers a CORS preflight; it reports whether r was one.
func (s *Server) preflight(w http.ResponseWriter, r *http.Request) bool {
	if s.cors == "" || r.Method != http.MethodOptions || r.Header.Get("Origin") == "" {
		return false
	}
	s.send(w, r, r.Method, reply{status: http.StatusOK})
	return true
}

// contractFiles are the contracts served without authentication, so that
// code generators and API browsers can fetch them (MaxScale has no such
// route).
var contractFiles = map[string]func() ([]byte, error){
	"/openapi.yaml":        func() ([]byte, error) { return spec.YAML(), nil },
	"/openapi.json":        spec.JSON,
	"/sim/v1/openapi.yaml": func() ([]byte, error) { return spec.ControlYAML(), nil },
	"/sim/v1/openapi.json": spec.ControlJSON,
}

// serveContract serves a contract file; it reports whether r asked for one.
func (s *Server) serveContract(w http.ResponseWriter, r *http.Request) bool {
	get, ok := contractFiles[r.URL.Path]
	if !ok || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return false
	}
	if !s.controlOn && r.URL.Path != "/openapi.yaml" && r.URL.Path != "/openapi.json" {
		return false
	}
	data, err := get()
	if err != nil {
		s.logger.ErrorContext(r.Context(), "contract not rendered", "err", err)
		http.Error(w, "contract not rendered", http.StatusInternalServerError)
		return true
	}
	ct := "application/yaml"
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		ct = "application/json"
	}
	s.corsHeaders(w.Header(), r)
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-cache")
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return true
	}
	if _, err := w.Write(data); err != nil {
		s.logger.DebugContext(r.Context(), "contract not written", "err", err)
	}
	return true
}

// strictCheck validates r (with its body raw, and the effective method)
// against the contract; it returns the 400 to send, if any.
func (s *Server) strictCheck(r *http.Request, method string, raw []byte) *reply {
	rr := r.Clone(r.Context())
	rr.Method = method
	rr.Header.Del("X-HTTP-Method-Override")
	rr.Body = io.NopCloser(bytes.NewReader(raw))
	if _, err := spec.FindOperation(rr); err != nil {
		return nil // not routed: MaxScale's answer follows
	}
	err := spec.ValidateRequest(r.Context(), rr)
	var verr *spec.ValidationError
	if !errors.As(err, &verr) {
		return nil
	}
	details := make([]string, len(verr.Problems))
	for i, p := range verr.Problems {
		details[i] = "request departs from the contract: " + p.String()
	}
	return &reply{status: http.StatusBadRequest, doc: s.errorDocument(details, false)}
}
