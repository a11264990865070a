package simulator

import (
	"net/http"
	"sync"

	"github.com/getkin/kin-openapi/routers"
)

// routeMemo remembers the contract's routing of a method and path. Routing
// walks the contract's routes with regular expressions (3–5 µs and seven
// allocations per request, more than a kept page's bookkeeping), and its
// answer depends on nothing but the method and the path as the router
// reads it (escaped: gorillamux's UseEncodedPath), since the contract's
// server URL is relative. A GUI polls a few paths; a client that walks
// many (one per session) fills the memo, which then starts again empty.
type routeMemo struct {
	mu     sync.RWMutex
	routes map[routeKey]routed
}

type routeKey struct{ method, path, rawPath string }

// routed is a router's answer. The route and params are shared by every
// request of the key: read only.
type routed struct {
	route  *routers.Route
	params map[string]string
	err    error
}

// routesRemembered bounds the memo's entries, and rememberedPathMax the
// paths it keeps (MaxScale's are short; a request line may take 1 MB):
// under 1 MiB of keys in all, a few KiB an entry with its answer.
const (
	routesRemembered  = 1024
	rememberedPathMax = 512
)

// find returns the router's answer for a request with method and the URL
// of r, from the memo when it holds one.
func (m *routeMemo) find(router routers.Router, r *http.Request, method string) routed {
	key := routeKey{method, r.URL.Path, r.URL.RawPath}
	m.mu.RLock()
	got, ok := m.routes[key]
	m.mu.RUnlock()
	if ok {
		return got
	}
	// A shallow copy: the router only reads it.
	rr := r.WithContext(r.Context())
	rr.Method = method
	got.route, got.params, got.err = router.FindRoute(rr)
	if len(key.path)+len(key.rawPath) > rememberedPathMax {
		return got
	}
	m.mu.Lock()
	if len(m.routes) >= routesRemembered || m.routes == nil {
		m.routes = make(map[routeKey]routed)
	}
	m.routes[key] = got
	m.mu.Unlock()
	return got
}
