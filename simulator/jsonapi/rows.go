package jsonapi

// Rows is an array whose elements are made when they are read, for a
// collection's `data`. A page of 100 out of 100,000 sessions used to
// render every session on every GET; as Rows, paging cuts the array
// without reading it, fields are applied to the rows as they are encoded,
// and a filter reads each row once. Rows is read-only; At must return the
// same value (or an equal one) each time it is asked for an element, and
// the shaping functions ask for each element at most once.
type Rows struct {
	n  int
	at func(i int) any
}

// NewRows returns the array of n elements at(0)…at(n-1).
func NewRows(n int, at func(i int) any) *Rows {
	return &Rows{n: n, at: at}
}

// Len returns the number of elements.
func (r *Rows) Len() int { return r.n }

// At returns element i.
func (r *Rows) At(i int) any { return r.at(i) }

// Map returns the array of f of each element, made when it is read.
func (r *Rows) Map(f func(any) any) *Rows {
	return &Rows{n: r.n, at: func(i int) any { return f(r.at(i)) }}
}

// slice returns elements lo…hi-1.
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
