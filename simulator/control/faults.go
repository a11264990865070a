package control

import (
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/routers"

	"github.com/mxharness/mxharness/simulator/jsonapi"
	"github.com/mxharness/mxharness/spec"
)

// FaultSettings says which requests of the REST API a fault affects and how.
// Every criterion given must match; none given matches every request.
type FaultSettings struct {
	Operation string        // operationId of the sessions contract
	Path      string        // path.Match pattern against the request path
	Method    string        // the request's method as sent; "" matches every method
	Latency   time.Duration // real time to wait before answering
	Status    int           // status to answer instead of the REST API; 0 calls through
	Detail    string        // with Status: body {"errors":[{"detail":Detail}]}
	Count     int           // requests it affects before it ends; 0 is unlimited
	Duration  time.Duration // simulator time it lasts; 0 is unlimited
}

// Fault is an active injection as the control API shows it.
type Fault struct {
	ID string
	FaultSettings
	Hits      int       // requests affected so far
	Remaining int       // with Count: requests it still affects
	Expires   time.Time // with Duration: when it ends (simulator time)
}

// Faults holds the active fault injections and applies them to requests of
// the REST API through Wrap. It is safe for concurrent use.
type Faults struct {
	now    func() time.Time
	ops    *routerOperations
	logger *slog.Logger

	mu     sync.Mutex
	nextID int
	active []*Fault // oldest first
}

// routerOperations knows the REST API's operations and names the one a
// request is for, with the sessions contract's router (which routes the way
// MaxScale does: trailing slashes, optional /v1, X-HTTP-Method-Override).
type routerOperations struct {
	router routers.Router
	ids    []string // sorted
}

func sessionOperations() (*routerOperations, error) {
	if _, err := spec.Load(); err != nil {
		return nil, fmt.Errorf("faults: %w", err)
	}
	router, err := spec.NewRouter()
	if err != nil {
		return nil, fmt.Errorf("faults: %w", err)
	}
	return &routerOperations{router: router, ids: spec.OperationIDs()}, nil
}

func (o *routerOperations) known(id string) bool {
	_, found := slices.BinarySearch(o.ids, id)
	return found
}

func (o *routerOperations) operationOf(r *http.Request) (string, bool) {
	route, _, err := o.router.FindRoute(r)
	if err != nil {
		return "", false
	}
	return route.Operation.OperationID, true
}

// NewFaults returns an empty fault set. now is the simulator's clock, which
// fault durations follow; logger may be nil (discard).
func NewFaults(now func() time.Time, logger *slog.Logger) (*Faults, error) {
	ops, err := sessionOperations()
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return newFaults(now, ops, logger), nil
}

func newFaults(now func() time.Time, ops *routerOperations, logger *slog.Logger) *Faults {
	return &Faults{now: now, ops: ops, logger: logger.With("component", "faults")}
}

// httpMethods are the methods a fault may name.
var httpMethods = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace,
}

func (f *Faults) validate(s *FaultSettings) error {
	if s.Operation != "" && !f.ops.known(s.Operation) {
		return invalidf("unknown operation %q; known operations: %s", s.Operation, strings.Join(f.ops.ids, ", "))
	}
	if s.Path != "" {
		if !strings.HasPrefix(s.Path, "/") {
			return invalidf("path pattern %q does not start with /", s.Path)
		}
		if _, err := path.Match(s.Path, ""); err != nil {
			return invalidf("path pattern %q: %v", s.Path, err)
		}
	}
	if s.Method != "" {
		s.Method = strings.ToUpper(s.Method)
		if !slices.Contains(httpMethods, s.Method) {
			return invalidf("unknown method %q", s.Method)
		}
	}
	switch {
	case s.Latency < 0:
		return invalidf("latency %s is negative", s.Latency)
	case s.Status != 0 && (s.Status < 200 || s.Status > 599):
		return invalidf("status %d is not between 200 and 599", s.Status)
	case s.Latency == 0 && s.Status == 0:
		return invalidf("a fault needs a latency, a status or both")
	case s.Detail != "" && s.Status == 0:
		return invalidf("detail needs a status")
	case s.Count < 0:
		return invalidf("count %d is negative", s.Count)
	case s.Duration < 0:
		return invalidf("duration %s is negative", s.Duration)
	}
	return nil
}

// Add validates s and makes it an active fault. Invalid settings give an
// error wrapping ErrInvalid.
func (f *Faults) Add(s FaultSettings) (Fault, error) {
	if err := f.validate(&s); err != nil {
		return Fault{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	flt := &Fault{ID: strconv.Itoa(f.nextID), FaultSettings: s, Remaining: s.Count}
	if s.Duration > 0 {
		flt.Expires = f.now().Add(s.Duration)
	}
	f.active = append(f.active, flt)
	f.logger.Info("fault added", "fault_id", flt.ID, "operation", s.Operation, "path", s.Path,
		"method", s.Method, "latency", s.Latency, "status", s.Status)
	return *flt, nil
}

// List returns the active faults, oldest first.
func (f *Faults) List() []Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pruneLocked()
	out := make([]Fault, len(f.active))
	for i, flt := range f.active {
		out[i] = *flt
	}
	return out
}

// Get returns the active fault with the given id.
func (f *Faults) Get(id string) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pruneLocked()
	if i := f.indexLocked(id); i >= 0 {
		return *f.active[i], true
	}
	return Fault{}, false
}

// Delete removes the active fault with the given id and reports whether
// there was one.
func (f *Faults) Delete(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pruneLocked()
	i := f.indexLocked(id)
	if i < 0 {
		return false
	}
	f.active = slices.Delete(f.active, i, i+1)
	return true
}

// Clear removes every fault. Fault ids keep counting up, so an id never
// names two faults.
func (f *Faults) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.active = nil
}

func (f *Faults) indexLocked(id string) int {
	return slices.IndexFunc(f.active, func(flt *Fault) bool { return flt.ID == id })
}

// pruneLocked drops the faults whose duration has passed.
func (f *Faults) pruneLocked() {
	now := f.now()
	f.active = slices.DeleteFunc(f.active, func(flt *Fault) bool {
		return !flt.Expires.IsZero() && !now.Before(flt.Expires)
	})
}

// take finds the oldest active fault matching r, counts the request against
// it and returns a copy.
func (f *Faults) take(r *http.Request) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pruneLocked()
	if len(f.active) == 0 {
		return Fault{}, false
	}
	reqPath := trimSlash(r.URL.Path)
	var opID string
	var opResolved, opFound bool
	for i, flt := range f.active {
		if flt.Method != "" && flt.Method != r.Method {
			continue
		}
		if flt.Path != "" {
			if ok, _ := path.Match(trimSlash(flt.Path), reqPath); !ok {
				continue
			}
		}
		if flt.Operation != "" {
			if !opResolved {
				opID, opFound = f.ops.operationOf(r)
				opResolved = true
			}
			if !opFound || opID != flt.Operation {
				continue
			}
		}
		flt.Hits++
		if flt.Count > 0 {
			flt.Remaining--
			if flt.Remaining == 0 {
				f.active = slices.Delete(f.active, i, i+1)
			}
		}
		return *flt, true
	}
	return Fault{}, false
}

func trimSlash(p string) string {
	if len(p) > 1 {
		return strings.TrimSuffix(p, "/")
	}
	return p
}

// controlPrefix is where the control API is mounted; faults never apply to
// it, so a fault matching every request can still be cleared.
const controlPrefix = "/sim/"

// Wrap returns next with the active faults applied: a matching request first
// waits the fault's latency (real time; it gives up when the request's
// context ends), then gets the fault's status instead of next's answer, or
// next's answer when the fault has no status.
func (f *Faults) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, controlPrefix) {
			next.ServeHTTP(w, r)
			return
		}
		flt, ok := f.take(r)
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		f.logger.DebugContext(r.Context(), "fault applied", "fault_id", flt.ID,
			"method", r.Method, "path", r.URL.Path)
		if flt.Latency > 0 && !sleepContext(r, flt.Latency) {
			return
		}
		if flt.Status == 0 {
			next.ServeHTTP(w, r)
			return
		}
		if flt.Detail == "" {
			w.WriteHeader(flt.Status)
			return
		}
		writeJSON(w, flt.Status, errorsDocument(flt.Detail))
	})
}

// sleepContext waits d and reports whether it did; false means the
// request's context ended first.
func sleepContext(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// errorsDocument is MaxScale's error body.
func errorsDocument(detail string) map[string]any {
	return map[string]any{"errors": []any{map[string]any{"detail": detail}}}
}

// writeJSON writes tree the way MaxScale does (sorted keys, 4-space indent).
func writeJSON(w http.ResponseWriter, status int, tree any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(jsonapi.Marshal(tree, true))
}
