package session

import (
	"sync"
	"sync/atomic"
	"time"
)

// State is a session's life-cycle state, as MaxScale names it.
type State int

// Session states (ses.cc:192-214).
const (
	StateCreated  State = iota // connection accepted, not yet authenticated
	StateStarted               // authenticated
	StateStopping              // killed, the client socket is closing
)

func (s State) String() string {
	switch s {
	case StateCreated:
		return "Session created"
	case StateStarted:
		return "Session started"
	default:
		return "Stopping session"
	}
}

// Parameter names of a release build of MaxScale 24.02 (no log_debug).
var ParameterNames = []string{"log_error", "log_info", "log_notice", "log_warning"}

// ioWindow is the length of io_activity's sliding window in seconds.
const ioWindow = 30

// tick is MaxScale's clock tick: idle moves in steps of it and the TTL
// check counts in it.
const tick = 100 * time.Millisecond

// Backend is one backend connection of a session.
type Backend struct {
	Server       string
	ConnectionID uint64
}

// Query is one retained statement (attributes.queries).
type Query struct {
	Command   string
	Statement string
	Received  time.Time
	Completed time.Time // zero while running
	Server    string    // the server that answered; "" while running
	Duration  time.Duration
}

// Session is one client connection: a real one (a socket) or a synthetic one
// created by the control API. Its mutable state sits behind its own mutex,
// so sessions never contend with each other.
type Session struct {
	id      uint64
	idText  string // id in decimal, made once: every snapshot shows it
	service *service
	remote  string
	port    int
	thread  int
	retain  int // retain_last_statements, fixed at creation like MaxScale
	trace   int // session_trace, fixed at creation

	closeClient func()        // closes the client socket; nil for synthetic sessions
	killed      chan struct{} // closed when the session is killed

	mu    sync.Mutex
	state State
	user  string
	// attrs and backends are replaced, never changed in place, so that
	// snapshots can share them instead of copying them on every GET.
	attrs        map[string]string // nil: the client sent none
	created      time.Time         // connected and seconds_alive count from here
	lastIO       time.Time
	busy         bool // a query is running
	pinnedBusy   bool // synthetic session that is always busy
	ioBuckets    [ioWindow]ioBucket
	ioNewest     int64 // the latest second of ioBuckets
	backends     []Backend
	params       map[string]bool
	filters      []string
	pending      *[]string // filter list waiting for the next query
	restart      bool      // restart requested, applied at the next query
	ttl          int
	ttlSet       time.Time
	historyLen   int
	historyBytes int
	queries      []Query // oldest first, at most retain
	log          []string
	current      int // index in queries of the running query, -1 if none
	// kept is the state the last snapshot showed, but the clock's fields;
	// every change a snapshot shows drops it (changedLocked). A GET of
	// 10,000 idle sessions copied their parameters, filters, queries,
	// log and memory out of every one of them, every time. Set under mu;
	// read without it by View.Kept, which a filter calls for every session
	// it peeks (the state it points at never changes).
	kept atomic.Pointer[Snapshot]

	memo atomic.Value // Snapshot.Memo

	gone bool // removed from the registry; guarded by the registry's mu
}

// changedLocked records that a snapshot would show something new: the
// kept state goes and the registry's version moves on, both while s.mu is
// held, so that a snapshot taken after the change sees the new version.
func (s *Session) changedLocked() {
	s.kept.Store(nil)
	s.service.reg.version.Add(1)
}

type ioBucket struct {
	second int64
	events int
}

// ID returns the session id as MaxScale prints it.
func (s *Session) ID() string { return s.idText }

// Number returns the session id, which is also the connection id the
// client saw in the handshake.
func (s *Session) Number() uint64 { return s.id }

// Remote returns the client's address.
func (s *Session) Remote() string { return s.remote }

// Service returns the name of the session's service.
func (s *Session) Service() string { return s.service.name }

// Killed is closed when the session has been killed; a running query
// (SLEEP) stops waiting when it is.
func (s *Session) Killed() <-chan struct{} { return s.killed }

// IO records one I/O event on the client socket at now: it counts towards
// io_activity and resets idle.
func (s *Session) IO(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ioLocked(now)
}

func (s *Session) ioLocked(now time.Time) {
	s.service.reg.version.Add(1) // idle and io_activity show it
	s.lastIO = now
	sec := now.Unix()
	b := &s.ioBuckets[sec%ioWindow]
	if b.second != sec {
		b.second, b.events = sec, 0
	}
	b.events++
	s.ioNewest = max(s.ioNewest, sec)
}

// ioActivity counts the events of the last ioWindow seconds.
func (s *Session) ioActivityLocked(now time.Time) int {
	sec := now.Unix()
	if sec-s.ioNewest >= ioWindow {
		return 0 // every bucket is older: an idle session, read on every GET
	}
	n := 0
	for _, b := range s.ioBuckets {
		if age := sec - b.second; age >= 0 && age < ioWindow {
			n += b.events
		}
	}
	return n
}

// idleLocked is the time since the last client I/O in 0.1 s steps, 0 while
// a query runs.
func (s *Session) idleLocked(now time.Time) float64 {
	if s.busy || s.pinnedBusy {
		return 0
	}
	ticks := now.UnixNano()/int64(tick) - s.lastIO.UnixNano()/int64(tick)
	if ticks < 0 {
		ticks = 0
	}
	return float64(ticks) / 10
}

// Statement describes a client command for Begin.
type Statement struct {
	Command string // COM_QUERY, COM_INIT_DB, ...
	Text    string // the SQL text ("" when the command has none)
	// SessionCommand marks commands that change session state (SET, USE,
	// COM_INIT_DB); history-keeping services count them.
	SessionCommand bool
}

// Begin marks the start of a client command at now. Pending filter changes
// and a pending restart are applied first: at this point the session is
// idle, which is when MaxScale installs them.
func (s *Session) Begin(now time.Time, st Statement) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changedLocked()
	if s.pending != nil {
		s.filters, s.pending = *s.pending, nil
	}
	if s.restart {
		s.restart = false
		s.backends = s.service.reg.connectBackends(s.service)
	}
	s.busy = true
	if st.SessionCommand && s.service.history {
		s.historyLen = min(s.historyLen+1, maxHistory)
		s.historyBytes = min(s.historyBytes+historyEntryBytes+len(st.Text), maxHistory*(historyEntryBytes+256))
	}
	if s.retain > 0 {
		if len(s.queries) == s.retain {
			s.queries = append(s.queries[:0], s.queries[1:]...)
		}
		s.queries = append(s.queries, Query{Command: st.Command, Statement: st.Text, Received: now})
		s.current = len(s.queries) - 1
	}
	if s.trace > 0 {
		s.traceLocked(now, s.service.beginTrace(s.id, st))
	}
}

// End marks the end of the running command at now; rows is the number of
// rows of its result set (0 for an OK or error reply).
func (s *Session) End(now time.Time, rows int, replyBytes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changedLocked()
	s.busy = false
	server := s.primaryLocked()
	if s.current >= 0 && s.current < len(s.queries) {
		q := &s.queries[s.current]
		q.Completed, q.Server, q.Duration = now, server, now.Sub(q.Received)
	}
	s.current = -1
	if s.trace > 0 {
		s.traceLocked(now, s.service.endTrace(s.id, server, rows, replyBytes))
	}
}

func (s *Session) primaryLocked() string {
	if len(s.backends) == 0 {
		return ""
	}
	return s.backends[0].Server
}

// BackendThreadID returns the connection id of the session's first backend
// connection: what SELECT CONNECTION_ID() answers through MaxScale.
func (s *Session) BackendThreadID() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.backends) == 0 {
		return 0
	}
	return s.backends[0].ConnectionID
}

// User returns the authenticated user ("" before authentication).
func (s *Session) User() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.user
}

func (s *Session) traceLocked(now time.Time, lines []string) {
	for _, l := range lines {
		if len(s.log) == s.trace {
			s.log = append(s.log[:0], s.log[1:]...)
		}
		s.log = append(s.log, now.Local().Format("2006-01-02 15:04:05.000")+"   "+l)
	}
}

// kill marks the session stopping and closes its client socket. It
// reports whether this call did it.
func (s *Session) kill() bool {
	s.mu.Lock()
	if s.state == StateStopping {
		s.mu.Unlock()
		return false
	}
	s.state = StateStopping
	s.changedLocked()
	s.mu.Unlock()
	// The socket goes first: a query woken by killed (SLEEP) would
	// otherwise answer "Query execution was interrupted" before the close,
	// where MaxScale's client only sees the connection end.
	if s.closeClient != nil {
		s.closeClient()
	}
	close(s.killed)
	return true
}
