// Package session is the simulator's state model of MaxScale sessions: a
// registry of client connections with MaxScale's semantics (ids from one
// global counter, states, idle and io_activity on the simulator clock,
// backend connections, session-level parameters and filters, deferred
// filter changes and restarts, TTL kills checked by a once-a-second
// sweep). It knows nothing of HTTP or of the wire protocol: the wire
// listener reports connections and traffic, the REST API reads snapshots
// and applies changes, the control API adds synthetic sessions.
//
// Ids are strings in the API (MaxScale's JSON id); ParseID implements
// MaxScale's rule for the path segment.
package session

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mxharness/mxharness/simulator/clock"
	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/seed"
)

// Sentinel errors.
var (
	// ErrNotFound: no started session has the id.
	ErrNotFound = errors.New("session not found")
	// ErrInvalid: input the registry refuses (unknown service, filter or
	// parameter).
	ErrInvalid = errors.New("invalid session input")
)

// FilterError is a refused filter list; Detail is MaxScale's exact text.
type FilterError struct{ Detail string }

func (e *FilterError) Error() string { return e.Detail }

// Is makes errors.Is(err, ErrInvalid) true for a FilterError.
func (e *FilterError) Is(target error) bool { return target == ErrInvalid }

// firstBackendID is the first backend thread id handed out. Backend ids
// come from their own counter, so they differ from session ids as they do
// behind a real MaxScale.
const firstBackendID = 1000

// History limits (readwritesplit's max_sescmd_history default) and the
// bytes one stored command accounts for in memory.sescmd_history.
const (
	maxHistory        = 50
	historyEntryBytes = 240
)

// service is what a session needs of its service.
type service struct {
	name    string
	history bool // readwritesplit: keeps a session-command history
	servers []string
	log     map[string]bool // service-level log_* flags
	reg     *Registry
	// total counts the sessions the service has had (MaxScale's
	// total_connections), peak the most it had at once
	// (max_connections); both only grow, as MaxScale's do. live is the
	// sessions it has now.
	total, peak, live atomic.Int64
}

// Registry holds every session. The map sits behind an RWMutex that is
// never held while a session's own mutex is taken for long or during I/O.
type Registry struct {
	clock    clock.Clock
	logger   *slog.Logger
	services map[string]*service
	filters  map[string]bool
	// retain and trace are retain_last_statements and session_trace,
	// pinned by each session when it is created (session.cc), changeable
	// at runtime (SetRetention).
	retain, trace atomic.Int64
	// initRetain and initTrace are the configuration's, for Reset.
	initRetain, initTrace int
	threads               int
	// deferFilters and deferRestart: MaxScale installs a filter change
	// made while the session is busy, and a restart, at the next client
	// query; when false they take effect at once (the documentation).
	deferFilters bool
	deferRestart bool
	// params are the session parameter names (ParameterNames, plus
	// log_debug with WithLogDebug).
	params []string
	// shared are the maps kept states show alike.
	shared sharedMaps

	nextID      atomic.Uint64
	nextBackend atomic.Uint64
	// version counts the changes a snapshot can show but the clock's own
	// movement: a session added or removed, a change of its state, an
	// I/O event. A collection's ETag is derived from it and the clock
	// reading instead of from every session's content (View).
	version atomic.Uint64

	mu       sync.RWMutex
	sessions map[uint64]*Session
	order    []*Session // creation order; removed entries are compacted lazily, into a new array
	removed  int
	ttls     map[uint64]*Session // sessions with a pending TTL

	stopSweep func()
}

// Option configures a Registry.
type Option func(*Registry)

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(r *Registry) { r.logger = l } }

// WithLogDebug adds the log_debug parameter of MaxScale's debug builds,
// which the documentation shows and release builds lack.
func WithLogDebug() Option {
	return func(r *Registry) { r.params = append(slices.Clone(ParameterNames), "log_debug") }
}

// WithDeferral chooses whether a filter change on a busy session (filters)
// and a restart (restart) wait for the session's next query, as in MaxScale
// 24.02 (the default), or take effect at once, as documented.
func WithDeferral(filters, restart bool) Option {
	return func(r *Registry) { r.deferFilters, r.deferRestart = filters, restart }
}

// New returns a registry for the services, filters and settings of cfg,
// whose TTL sweep runs once a second on clk. Close stops it.
func New(cfg config.Config, clk clock.Clock, opts ...Option) *Registry {
	r := &Registry{
		clock:    clk,
		logger:   slog.New(slog.DiscardHandler),
		services: map[string]*service{},
		filters:  map[string]bool{},
		threads:  max(cfg.Threads, 1),
		sessions: map[uint64]*Session{},
		ttls:     map[uint64]*Session{},

		deferFilters: true,
		deferRestart: true,
		params:       ParameterNames,
	}
	r.initRetain, r.initTrace = cfg.RetainLastStatements, cfg.SessionTrace
	r.SetRetention(r.initRetain, r.initTrace)
	for _, o := range opts {
		o(r)
	}
	for _, s := range cfg.Services {
		r.services[s.Name] = &service{
			name: s.Name, history: s.Router == config.RouterReadWriteSplit,
			servers: slices.Clone(s.Servers), reg: r,
			log: map[string]bool{"log_info": s.LogInfo, "log_notice": s.LogNotice,
				"log_warning": s.LogWarning, "log_error": s.LogError},
		}
	}
	for _, f := range cfg.Filters {
		r.filters[f.Name] = true
	}
	r.resetCounters()
	r.stopSweep = clk.Every(time.Second, r.sweep)
	return r
}

func (r *Registry) resetCounters() {
	r.nextID.Store(0)
	r.nextBackend.Store(firstBackendID - 1)
}

// SetRetention sets retain_last_statements and session_trace for the
// sessions created from now on; existing sessions keep theirs, as in
// MaxScale.
func (r *Registry) SetRetention(retain, trace int) {
	r.retain.Store(int64(retain))
	r.trace.Store(int64(trace))
}

// Retention returns retain_last_statements and session_trace.
func (r *Registry) Retention() (retain, trace int) {
	return int(r.retain.Load()), int(r.trace.Load())
}

// ServiceTotals returns how many sessions the named service has had since
// the registry was made, and the most it had at once (0 for an unknown
// service).
func (r *Registry) ServiceTotals(service string) (total, peak int64) {
	if svc, ok := r.services[service]; ok {
		return svc.total.Load(), svc.peak.Load()
	}
	return 0, 0
}

// Close stops the TTL sweep and kills every session.
func (r *Registry) Close() {
	r.stopSweep()
	r.killAll()
}

// Client describes a newly accepted client connection.
type Client struct {
	Service string
	Remote  string // IP address
	Port    int
	// Close closes the client socket; the registry calls it on a kill.
	Close func()
}

// Open registers an accepted connection as a session in state "Session
// created" with the next id. Every accepted connection takes an id, also
// one whose login then fails.
func (r *Registry) Open(c Client) (*Session, error) {
	svc, ok := r.services[c.Service]
	if !ok {
		return nil, fmt.Errorf("open session: unknown service %q: %w", c.Service, ErrInvalid)
	}
	now := r.clock.Now()
	s := r.newSession(svc, c.Remote, c.Port, now)
	s.closeClient = c.Close
	r.add(s)
	return s, nil
}

func (r *Registry) newSession(svc *service, remote string, port int, now time.Time) *Session {
	id := r.nextID.Add(1)
	return &Session{
		id: id, idText: strconv.FormatUint(id, 10), service: svc, remote: remote, port: port,
		thread: int((id - 1) % uint64(r.threads)),
		retain: int(r.retain.Load()), trace: int(r.trace.Load()),
		killed: make(chan struct{}),
		state:  StateCreated, created: now, lastIO: now,
		params: map[string]bool{}, current: -1,
	}
}

func (r *Registry) add(s *Session) {
	svc := s.service
	svc.total.Add(1)
	for n := svc.live.Add(1); ; {
		p := svc.peak.Load()
		if n <= p || svc.peak.CompareAndSwap(p, n) {
			break
		}
	}
	r.mu.Lock()
	r.sessions[s.id] = s
	r.order = append(r.order, s)
	r.version.Add(1)
	r.mu.Unlock()
}

// Start marks the session authenticated as user with the client's
// connection attributes (nil when it sent none) and opens its backend
// connections.
func (s *Session) Start(user string, attrs map[string]string) {
	backends := s.service.reg.connectBackends(s.service)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != StateCreated {
		return
	}
	s.changedLocked()
	s.state, s.user, s.backends = StateStarted, user, backends
	if len(attrs) > 0 {
		s.attrs = maps.Clone(attrs)
	}
}

// connectBackends opens one backend connection per server of svc, each
// with a new thread id.
func (r *Registry) connectBackends(svc *service) []Backend {
	b := make([]Backend, len(svc.servers))
	for i, srv := range svc.servers {
		b[i] = Backend{Server: srv, ConnectionID: r.nextBackend.Add(1)}
	}
	return b
}

// Closed removes a session whose client connection ended.
func (r *Registry) Closed(s *Session) {
	s.mu.Lock()
	s.state = StateStopping
	s.changedLocked()
	s.mu.Unlock()
	r.remove(s.id)
}

func (r *Registry) remove(id uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, ok := r.sessions[id]
	if !ok {
		return
	}
	s.service.live.Add(-1)
	delete(r.sessions, id)
	delete(r.ttls, id)
	s.gone = true
	r.version.Add(1)
	r.removed++
	if r.removed > len(r.order)/2 {
		// Into a new array: views share the old one (View).
		r.order = slices.DeleteFunc(slices.Clone(r.order), func(s *Session) bool { return s.gone })
		r.removed = 0
	}
}

// ParseID applies MaxScale's rule for a session id in a path: the whole
// segment must be an unsigned decimal that fits 64 bits and is > 0;
// leading zeros are fine. ok is false when the segment is not a session id.
func ParseID(seg string) (id uint64, ok bool) {
	for _, c := range seg {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(seg, 10, 64)
	if err != nil || n == 0 {
		return 0, false
	}
	return n, true
}

// started returns the started session with the id (MaxScale's
// execute_for_session only finds STARTED sessions).
func (r *Registry) started(id string) (*Session, error) {
	n, ok := ParseID(id)
	if !ok {
		return nil, fmt.Errorf("session %q: %w", id, ErrNotFound)
	}
	r.mu.RLock()
	s := r.sessions[n]
	r.mu.RUnlock()
	if s == nil {
		return nil, fmt.Errorf("session %s: %w", id, ErrNotFound)
	}
	s.mu.Lock()
	st := s.state
	s.mu.Unlock()
	if st != StateStarted {
		return nil, fmt.Errorf("session %s is %s: %w", id, st, ErrNotFound)
	}
	return s, nil
}

// Get returns a snapshot of the started session with the id.
func (r *Registry) Get(id string) (Snapshot, error) {
	s, err := r.started(id)
	if err != nil {
		return Snapshot{}, err
	}
	return s.snapshot(r.clock.Now()), nil
}

// List returns snapshots of every session that has a client, in any state,
// in creation order.
func (r *Registry) List() []Snapshot {
	v := r.View()
	out := make([]Snapshot, v.Len())
	for i := range out {
		out[i] = v.Snapshot(i)
	}
	return out
}

// View is the registry's sessions, those that have a client, in creation
// order, at one instant; each is snapshotted only when it is read. A page
// of 100 out of 100,000 sessions used to snapshot all of them.
type View struct {
	// Version is the registry's version when the view was made: a
	// session a view shows that changes afterwards (but for the clock's
	// own movement) moves the version on, so a view of the same version
	// at the same instant shows the same snapshots.
	Version  uint64
	Now      time.Time
	sessions []*Session
}

// View returns the sessions that have a client now. The registry lock is
// held only to copy the pointers.
func (r *Registry) View() View {
	r.mu.RLock()
	var live []*Session
	if r.removed == 0 {
		// Shared, not copied: order only grows past its length, and is
		// compacted into a new array. 100,000 pointers copied for a page
		// of 100 were most of a page's cost.
		live = r.order[:len(r.order):len(r.order)]
	} else {
		live = make([]*Session, 0, len(r.sessions))
		for _, s := range r.order {
			if !s.gone {
				live = append(live, s)
			}
		}
	}
	v := View{Version: r.version.Load(), sessions: live}
	r.mu.RUnlock()
	v.Now = r.clock.Now()
	return v
}

// Len returns the number of sessions in the view.
func (v View) Len() int { return len(v.sessions) }

// Snapshot returns a snapshot of session i of the view at the view's
// instant.
func (v View) Snapshot(i int) Snapshot { return v.sessions[i].snapshot(v.Now) }

// Clock returns the clock's fields of session i at the view's instant,
// as Snapshot(i) has them, without copying its state: what a renderer
// that kept the rest of a row's bytes (a kept page) writes again.
func (v View) Clock(i int) Clock {
	s := v.sessions[i]
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clockLocked(v.Now)
}

// Kept returns the state session i shows now but the clock's fields, as
// its last snapshot kept it (Snapshot.Kept), to read only; nil when the
// session has changed since (its next snapshot keeps a new one). It
// copies nothing: what a renderer keeps of that state can be found
// without a snapshot.
func (v View) Kept(i int) *Snapshot {
	return v.sessions[i].kept.Load()
}

// Len returns the number of sessions.
func (r *Registry) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.sessions)
}

// Update is what a PATCH asks of a session.
type Update struct {
	// Parameters to set; only the known names with boolean values are
	// applied, like MaxScale.
	Parameters map[string]bool
	// Filters, when not nil, is the new session filter list (empty clears).
	Filters *[]string
	// FilterErr, when not nil, is an error found while reading the filter
	// list; it is reported after the parameters were applied (MaxScale's
	// PATCH is not atomic).
	FilterErr error
}

// Patch applies u to the started session with the id: parameters at once;
// then the filter list, at once if the session is idle, else at its next
// query. A refused filter list returns a *FilterError and changes no
// filters, but the parameters stay changed.
func (r *Registry) Patch(id string, u Update) error {
	s, err := r.started(id)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changedLocked()
	for k, v := range u.Parameters {
		if slices.Contains(r.params, k) {
			s.params[k] = v
		}
	}
	if u.FilterErr != nil {
		return u.FilterErr
	}
	if u.Filters == nil {
		return nil
	}
	for _, f := range *u.Filters {
		if !r.filters[f] {
			return &FilterError{Detail: "Not a valid filter: " + f}
		}
	}
	list := slices.Clone(*u.Filters)
	if r.deferFilters && (s.busy || s.pinnedBusy) {
		s.pending = &list
	} else {
		s.filters, s.pending = list, nil
	}
	return nil
}

// Restart asks the started session with the id to reconnect its backends
// at its next query.
func (r *Registry) Restart(id string) error {
	s, err := r.started(id)
	if err != nil {
		return err
	}
	r.requestRestart(s)
	return nil
}

// requestRestart flags the session for a restart at its next query, or
// reconnects its backends at once when restarts are not deferred (then a
// session that has not authenticated yet gets its backends at Start).
func (r *Registry) requestRestart(s *Session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changedLocked()
	if r.deferRestart || s.state != StateStarted {
		s.restart = true
		return
	}
	s.backends = r.connectBackends(s.service)
}

// RestartAll asks every session, in any state, to restart at its next
// query. It never fails: the simulator has no idle_session_pool_time.
func (r *Registry) RestartAll() error {
	r.mu.RLock()
	all := slices.Collect(maps.Values(r.sessions))
	r.mu.RUnlock()
	for _, s := range all {
		r.requestRestart(s)
	}
	return nil
}

// Kill kills the started session with the id: now when ttl <= 0, else by
// the TTL sweep once more than ttl whole seconds have passed (about ttl+1
// to ttl+2 s later, like MaxScale). A new ttl restarts the timer.
func (r *Registry) Kill(id string, ttl int) error {
	s, err := r.started(id)
	if err != nil {
		return err
	}
	if ttl <= 0 {
		r.kill(s)
		return nil
	}
	now := r.clock.Now()
	s.mu.Lock()
	s.ttl, s.ttlSet = ttl, now
	s.mu.Unlock()
	r.mu.Lock()
	if r.sessions[s.id] == s {
		r.ttls[s.id] = s
	}
	r.mu.Unlock()
	return nil
}

func (r *Registry) kill(s *Session) {
	if s.kill() {
		r.logger.Info("session killed", "session_id", s.id)
	}
	r.remove(s.id)
}

// sweep kills the sessions whose TTL ran out: MaxScale kills when
// floor(elapsed ticks / 10) > ttl, checked once a second.
func (r *Registry) sweep(now time.Time) {
	r.mu.RLock()
	var due []*Session
	for _, s := range r.ttls {
		s.mu.Lock()
		elapsed := now.UnixNano()/int64(tick) - s.ttlSet.UnixNano()/int64(tick)
		if elapsed/10 > int64(s.ttl) {
			due = append(due, s)
		}
		s.mu.Unlock()
	}
	r.mu.RUnlock()
	for _, s := range due {
		r.logger.Warn("killing session, session TTL exceeded", "session_id", s.id)
		r.kill(s)
	}
}

func (r *Registry) killAll() {
	r.mu.RLock()
	all := slices.Collect(maps.Values(r.sessions))
	r.mu.RUnlock()
	for _, s := range all {
		r.kill(s)
	}
}

// Reset kills every session, closing real clients' sockets, restarts the
// session and backend id counters and the services' totals, and puts
// retain_last_statements and session_trace back to the configuration's.
func (r *Registry) Reset() {
	r.killAll()
	r.resetCounters()
	r.SetRetention(r.initRetain, r.initTrace)
	for _, svc := range r.services {
		svc.total.Store(0)
		svc.peak.Store(svc.live.Load())
	}
}

// Age moves the started session's creation and last activity back by d.
func (r *Registry) Age(id string, d time.Duration) error {
	s, err := r.started(id)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.created, s.lastIO = s.created.Add(-d), s.lastIO.Add(-d)
	s.changedLocked()
	s.mu.Unlock()
	return nil
}

// CreateSynthetic registers a session without a socket, already started,
// with the next id. It implements seed.Registry.
func (r *Registry) CreateSynthetic(ss seed.Session) (string, error) {
	svc, ok := r.services[ss.Service]
	if !ok {
		return "", fmt.Errorf("synthetic session: unknown service %q: %w", ss.Service, ErrInvalid)
	}
	for _, f := range ss.Filters {
		if !r.filters[f] {
			return "", fmt.Errorf("synthetic session: unknown filter %q: %w", f, ErrInvalid)
		}
	}
	for k := range ss.Parameters {
		if !slices.Contains(r.params, k) {
			return "", fmt.Errorf("synthetic session: unknown parameter %q: %w", k, ErrInvalid)
		}
	}
	now := r.clock.Now()
	port := ss.Port
	s := r.newSession(svc, ss.Remote, port, now.Add(-ss.Age))
	if port == 0 {
		s.port = 40000 + int(s.id%20000) // an ephemeral-looking client port
	}
	s.state, s.user = StateStarted, ss.User
	s.backends = r.connectBackends(svc)
	if len(ss.ConnectionAttributes) > 0 {
		s.attrs = maps.Clone(ss.ConnectionAttributes)
	}
	maps.Copy(s.params, ss.Parameters)
	s.filters = slices.Clone(ss.Filters)
	s.pinnedBusy = ss.Busy
	r.add(s)
	return s.ID(), nil
}
