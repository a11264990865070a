package session

import (
	"fmt"
	"maps"
	"slices"
	"sync/atomic"
	"time"
)

// Snapshot is a session's state at one instant, copied out of the session
// so that it can be rendered without holding any lock. Its maps and slices
// may be shared with the session and other snapshots: read them only. A
// snapshot the registry made is a value to read, not to edit: SameState
// takes two copies of one kept state to be the same state.
type Snapshot struct {
	ID           string
	Service      string
	State        State
	User         string // "" before authentication
	Remote       string
	Port         int
	Thread       int
	Connected    time.Time
	SecondsAlive float64
	Idle         float64
	IOActivity   int
	Backends     []Backend
	// ConnectionAttributes is nil when the client sent none.
	ConnectionAttributes map[string]string
	// History is nil when the service keeps no session-command history.
	History    *History
	Parameters map[string]bool // session flag OR service flag
	Filters    []string        // session-level filters; empty: no relationship
	Queries    []Query
	Log        []string
	Memory     Memory
	// Memo is the session's slot for what a renderer derives from its
	// snapshots: it lives exactly as long as the session, so nothing has
	// to forget a closed session. Nil in a snapshot made by hand.
	Memo *atomic.Value
	// kept is the session's kept state this snapshot was copied from:
	// two snapshots copied from the same one show the same state. Nil in
	// a snapshot made by hand.
	kept *Snapshot
}

// Kept returns the session's kept state s was copied from — the same
// state without the clock's fields, shared with the session and every
// snapshot of it, to read only — or, for a snapshot made by hand, a copy
// of s. A renderer that keeps what it derived from a state keeps this
// instead of a copy of its own.
func (s *Snapshot) Kept() *Snapshot {
	if s.kept != nil {
		return s.kept
	}
	c := *s
	return &c
}

// SameState reports whether s and o show the same state of a session: they
// are equal in every field but those the clock moves on its own
// (SecondsAlive, Idle, IOActivity) and Memo. What is rendered from the
// other fields can be kept while SameState holds.
func (s *Snapshot) SameState(o *Snapshot) bool {
	if s.kept != nil && s.kept == o.kept {
		return true // copies of one kept state (see Snapshot)
	}
	return s.ID == o.ID && s.Service == o.Service && s.State == o.State && s.User == o.User &&
		s.Remote == o.Remote && s.Port == o.Port && s.Thread == o.Thread && s.Connected.Equal(o.Connected) &&
		slices.Equal(s.Backends, o.Backends) &&
		(s.ConnectionAttributes == nil) == (o.ConnectionAttributes == nil) &&
		maps.Equal(s.ConnectionAttributes, o.ConnectionAttributes) &&
		(s.History == nil) == (o.History == nil) && (s.History == nil || *s.History == *o.History) &&
		maps.Equal(s.Parameters, o.Parameters) && slices.Equal(s.Filters, o.Filters) &&
		slices.EqualFunc(s.Queries, o.Queries, Query.equal) && slices.Equal(s.Log, o.Log) &&
		s.Memory.equal(&o.Memory)
}

func (q Query) equal(o Query) bool {
	return q.Command == o.Command && q.Statement == o.Statement && q.Received.Equal(o.Received) &&
		q.Completed.Equal(o.Completed) && q.Server == o.Server && q.Duration == o.Duration
}

func (m *Memory) equal(o *Memory) bool {
	return m.Client == o.Client && maps.Equal(m.Backends, o.Backends) && m.BuffersTotal == o.BuffersTotal &&
		m.LastQueries == o.LastQueries && m.Variables == o.Variables && m.SescmdHistory == o.SescmdHistory &&
		m.ExecMetadata == o.ExecMetadata && m.Total == o.Total
}

// History is the client.sescmd_history_* attributes.
type History struct {
	Len             int
	StoredResponses int
	StoredMetadata  int
}

// Memory is the memory attribute; its totals keep MaxScale's invariants.
type Memory struct {
	Client        Buffers
	Backends      map[string]Buffers
	BuffersTotal  int // Client.Total + every Backends total
	LastQueries   int
	Variables     int
	SescmdHistory int
	ExecMetadata  int
	Total         int // BuffersTotal + LastQueries + Variables + SescmdHistory + ExecMetadata
}

// Buffers is one DCB's buffers; Total = WriteQ + ReadQ + Misc.
type Buffers struct {
	WriteQ, ReadQ, Misc, Total int
}

// Sizes from the reference MaxScale's replies (transcript 003).
const (
	clientMisc    = 654
	clientReadQ   = 65536
	backendMisc   = 662
	variableBytes = 283
	queryOverhead = 48
)

func (s *Session) snapshot(now time.Time) Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.kept.Load()
	if kept == nil {
		kept = s.stateLocked()
		s.kept.Store(kept)
	}
	snap := *kept
	c := s.clockLocked(now)
	snap.SecondsAlive, snap.Idle, snap.IOActivity = c.SecondsAlive, c.Idle, c.IOActivity
	return snap
}

// Clock is what the clock moves of a session: the fields of a snapshot
// that change while its kept state does not.
type Clock struct {
	SecondsAlive, Idle float64
	IOActivity         int
}

func (s *Session) clockLocked(now time.Time) Clock {
	return Clock{SecondsAlive: now.Sub(s.created).Seconds(), Idle: s.idleLocked(now), IOActivity: s.ioActivityLocked(now)}
}

// stateLocked builds what a snapshot shows but the clock's fields.
func (s *Session) stateLocked() *Snapshot {
	snap := &Snapshot{
		ID: s.ID(), Service: s.service.name, State: s.state, User: s.user,
		Remote: s.remote, Port: s.port, Thread: s.thread,
		Connected:            s.created,
		Backends:             s.backends, // shared: never changed in place
		ConnectionAttributes: s.attrs,    // shared: never changed in place
		Filters:              slices.Clone(s.filters),
		Queries:              slices.Clone(s.queries),
		Log:                  slices.Clone(s.log),
		Memo:                 &s.memo,
	}
	snap.Parameters = s.service.reg.shared.parameters(s.service.reg.params, func(p string) bool {
		return s.params[p] || s.service.log[p]
	})
	if s.service.history {
		snap.History = &History{Len: s.historyLen, StoredResponses: s.historyLen}
	}
	snap.Memory = s.memoryLocked()
	snap.kept = snap
	return snap
}

func (s *Session) memoryLocked() Memory {
	m := Memory{
		Client:        Buffers{ReadQ: clientReadQ, Misc: clientMisc},
		Backends:      s.service.reg.shared.backendBuffers(s.backends),
		Variables:     variableBytes,
		SescmdHistory: s.historyBytes,
	}
	m.Client.Total = m.Client.WriteQ + m.Client.ReadQ + m.Client.Misc
	m.BuffersTotal = m.Client.Total + len(s.backends)*backendMisc
	for _, q := range s.queries {
		m.LastQueries += queryOverhead + len(q.Statement)
	}
	m.Total = m.BuffersTotal + m.LastQueries + m.Variables + m.SescmdHistory + m.ExecMetadata
	return m
}

// beginTrace returns the trace lines MaxScale logs when a statement
// arrives.
func (svc *service) beginTrace(id uint64, st Statement) []string {
	const plenHeader = 5 // 4-byte packet header and the command byte
	lines := []string{fmt.Sprintf("info   : (%d) (%s); > Autocommit: [enabled], trx is [not open], cmd: (0x%x) %s, plen: %d, type: %s, stmt: %s",
		id, svc.name, commandByte(st.Command), st.Command, len(st.Text)+plenHeader, queryType(st), st.Text)}
	if svc.history && len(svc.servers) > 0 {
		lines = append(lines, fmt.Sprintf("info   : (%d) [readwritesplit] (%s); Route query to primary: %s <", id, svc.name, svc.servers[0]))
	}
	return lines
}

// endTrace returns the trace line MaxScale logs when the reply is complete.
func (svc *service) endTrace(id uint64, server string, rows, replyBytes int) []string {
	if !svc.history || server == "" {
		return nil
	}
	return []string{fmt.Sprintf("info   : (%d) [readwritesplit] (%s); Reply complete from '%s' (Resultset: %d rows in %dB)",
		id, svc.name, server, rows, replyBytes)}
}

func commandByte(cmd string) int {
	switch cmd {
	case "COM_INIT_DB":
		return 0x2
	case "COM_PING":
		return 0xe
	default:
		return 0x3 // COM_QUERY
	}
}

func queryType(st Statement) string {
	if st.SessionCommand {
		return "sql::TYPE_SESSION_WRITE"
	}
	return "sql::TYPE_READ"
}
