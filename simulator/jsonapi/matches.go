package jsonapi

import "sync"

// Matches keeps which rows the last few filters with kept verdicts kept of
// a collection, by the collection's key (Rows.Remembered): equal keys mean
// equal rows, so the next GET of the same filter and key makes the rows it
// kept and peeks no other. A filter over 10,000 sessions spent half its
// time peeking the rows it then dropped. Only a filter whose every verdict
// was read from frozen parts is kept: one that read a clock's member may
// keep other rows at another instant. A Matches is safe for concurrent use.
type Matches struct {
	mu      sync.Mutex
	entries []matched // the most recently used first
}

type matched struct {
	key, filter string
	rows        []int
}

// keptMatches bounds a Matches: a few clients, each polling with a filter
// of its own (10,000 sessions' matches are at most 80 KB).
const keptMatches = 8

// get returns the rows the filter kept of the collection of key.
func (m *Matches) get(key, filter string) ([]int, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, e := range m.entries {
		if e.key == key && e.filter == filter {
			copy(m.entries[1:i+1], m.entries[:i])
			m.entries[0] = e
			return e.rows, true
		}
	}
	return nil, false
}

// put keeps rows as what the filter kept of the collection of key.
func (m *Matches) put(key, filter string, rows []int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.entries = append([]matched{{key: key, filter: filter, rows: rows}}, m.entries...)
	if len(m.entries) > keptMatches {
		m.entries = m.entries[:keptMatches]
	}
}
