package jsonapi

import "github.com/mxharness/mxharness/simulator/recent"

// Matches keeps which rows the last few filters with kept verdicts kept of
// a collection, by the collection's key (Rows.Remembered): equal keys mean
// equal rows, so the next GET of the same filter and key makes the rows it
// kept and peeks no other. A filter over 10,000 sessions spent half its
// time peeking the rows it then dropped. Only a filter whose every verdict
// was read from frozen parts is kept: one that read a clock's member may
// keep other rows at another instant. A Matches is safe for concurrent use.
type Matches struct {
	rows *recent.List[matchKey, []int]
}

type matchKey struct{ key, filter string }

// keptMatches bounds a Matches: a few clients, each polling with a filter
// of its own (10,000 sessions' matches are at most 80 KB).
const keptMatches = 8

// NewMatches returns an empty Matches.
func NewMatches() *Matches {
	return &Matches{rows: recent.New[matchKey, []int](keptMatches, 0, nil)}
}

// get returns the rows the filter kept of the collection of key.
func (m *Matches) get(key, filter string) ([]int, bool) {
	return m.rows.Get(matchKey{key, filter})
}

// put keeps rows as what the filter kept of the collection of key.
func (m *Matches) put(key, filter string, rows []int) {
	m.rows.Put(matchKey{key, filter}, rows)
}
