package spec

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// methodOverride is the header MaxScale routes by instead of the request's
// method (API.md: upper case only; the contract documents it on every
// operation).
const methodOverride = "X-HTTP-Method-Override"

// NewRouter returns a router over the sessions contract that finds
// operations the way MaxScale routes requests:
//   - trailing slashes are removed first (`/v1/sessions/` and
//     `/v1/sessions/5/` are `/v1/sessions` and `/v1/sessions/5`: MaxCtrl
//     sends `GET /v1/sessions/`);
//   - the `/v1` prefix is optional (`/sessions/5` is `/v1/sessions/5`);
//   - an upper-case X-HTTP-Method-Override replaces the method (a
//     lower-case one is not an override: MaxScale answers it with 405).
//
// The request passed to FindRoute is not modified. The router is shared and
// safe for concurrent use.
func NewRouter() (routers.Router, error) { return sessionsRouter() }

var sessionsRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route sessions.yaml: %w", err)
	}
	return maxscaleRouter{r}, nil
})

// maxscaleRouter normalises a request as MaxScale does before routing it.
type maxscaleRouter struct{ inner routers.Router }

func (m maxscaleRouter) FindRoute(req *http.Request) (*routers.Route, map[string]string, error) {
	return m.inner.FindRoute(routable(req))
}

// routable returns req, or a shallow copy of it with the path and method
// that MaxScale would route by.
func routable(req *http.Request) *http.Request {
	path := canonicalPath(req.URL.Path)
	method := req.Method
	if o := req.Header.Get(methodOverride); o != "" && o == strings.ToUpper(o) {
		method = o
	}
	if path == req.URL.Path && method == req.Method {
		return req
	}
	out := req.WithContext(req.Context())
	u := *req.URL
	u.Path, u.RawPath = path, ""
	out.URL = &u
	out.Method = method
	return out
}

// canonicalPath strips trailing slashes and adds the optional /v1 prefix.
func canonicalPath(p string) string {
	p = strings.TrimRight(p, "/")
	if p != "/v1" && !strings.HasPrefix(p, "/v1/") {
		p = "/v1" + p
	}
	return p
}
