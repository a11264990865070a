package jsonapi

import "iter"

// Rows is an array whose elements are made when they are read, for a
// collection's `data`. A page of 100 out of 100,000 sessions used to
// render every session on every GET; as Rows, paging cuts the array
// without reading it, fields are applied to the rows as they are encoded,
// and a filter reads each row once. Rows is read-only; At must return the
// same value (or an equal one) each time it is asked for an element, and
// the shaping functions ask for each element at most once.
type Rows struct {
	n    int
	at   func(i int) any
	peek func(lo, hi int) iter.Seq2[int, any]
	// key names the rows in matches (Remembered).
	key     string
	matches *Matches
}

// NewRows returns the array of n elements at(0)…at(n-1).
func NewRows(n int, at func(i int) any) *Rows {
	return &Rows{n: n, at: at}
}

// Peeked returns r whose elements' frozen parts can be read without
// making the elements, for the filters that keep their verdicts with
// frozen parts: a filter then makes only the rows it keeps. peek(lo, hi)
// yields each i of lo…hi-1 in order with element i's parts as At(i)
// would make them now — the same overlays laid over the same Frozen
// objects, with any values for the fresh members that are not overlays —
// or with nil where they are not known without making the element. A
// yielded value is read only until the next one is asked for, so peek
// may make each in the same memory.
func (r *Rows) Peeked(peek func(lo, hi int) iter.Seq2[int, any]) *Rows {
	return &Rows{n: r.n, at: r.at, peek: peek, key: r.key, matches: r.matches}
}

// Remembered returns r as the rows named key, which the caller promises
// names these rows alone: elements of two Rows of one key show the same
// values (a registry's version and a link base, say). What a filter whose
// verdicts are kept (keptVerdicts) keeps of peeked rows is then kept in m
// under key, and the next filter of the same key makes those rows only.
func (r *Rows) Remembered(key string, m *Matches) *Rows {
	return &Rows{n: r.n, at: r.at, peek: r.peek, key: key, matches: m}
}

// Len returns the number of elements.
func (r *Rows) Len() int { return r.n }

// At returns element i.
func (r *Rows) At(i int) any { return r.at(i) }

// Map returns the array of f of each element, made when it is read; its
// elements cannot be peeked.
func (r *Rows) Map(f func(any) any) *Rows {
	return &Rows{n: r.n, at: func(i int) any { return f(r.at(i)) }}
}

// slice returns elements lo…hi-1. What peek yields is not needed of a
// page (paging comes after the filters) and is not kept.
func (r *Rows) slice(lo, hi int) *Rows {
	return &Rows{n: hi - lo, at: func(i int) any { return r.at(lo + i) }}
}

// all makes every element.
func (r *Rows) all() []any {
	out := make([]any, r.n)
	for i := range out {
		out[i] = r.at(i)
	}
	return out
}
