// Package recent keeps the values last put, by key, the most recently used
// first, within a count and a total size: what the simulator keeps of an
// answer for the next GET of the same query at the same registry version
// (a body, a filter's matches), which is asked for again while nothing
// changes and never once something has, so that old values only need to
// leave as new ones come.
package recent

import "sync"

// List is a bounded list of recently used values. A List is safe for
// concurrent use.
type List[K comparable, V any] struct {
	max     int // values kept at most
	maxSize int // their sizes at most
	size    func(V) int

	mu      sync.Mutex
	entries []entry[K, V] // the most recently used first
	total   int
}

type entry[K comparable, V any] struct {
	key   K
	value V
}

// New returns a List of at most max values whose sizes (size(v)) add up
// to at most maxSize; with a nil size, only the count bounds it.
func New[K comparable, V any](max, maxSize int, size func(V) int) *List[K, V] {
	if size == nil {
		size = func(V) int { return 0 }
	}
	return &List[K, V]{max: max, maxSize: maxSize, size: size}
}

// Get returns the value kept under key, and makes it the most recently
// used.
func (l *List[K, V]) Get(key K) (V, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, e := range l.entries {
		if e.key == key {
			copy(l.entries[1:i+1], l.entries[:i])
			l.entries[0] = e
			return e.value, true
		}
	}
	var zero V
	return zero, false
}

// Put keeps value under key, in place of any value kept under it, as the
// most recently used, and drops the least recently used values beyond the
// bounds. A value larger than the size bound is not kept.
func (l *List[K, V]) Put(key K, value V) {
	n := l.size(value)
	if n > l.maxSize {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, e := range l.entries {
		if e.key == key {
			l.entries = append(l.entries[:i], l.entries[i+1:]...)
			l.total -= l.size(e.value)
			break
		}
	}
	l.entries = append([]entry[K, V]{{key, value}}, l.entries...)
	l.total += n
	for len(l.entries) > l.max || l.total > l.maxSize {
		last := l.entries[len(l.entries)-1]
		l.entries = l.entries[:len(l.entries)-1]
		l.total -= l.size(last.value)
	}
}

// Each calls fn with each key and value kept, the most recently used
// first.
func (l *List[K, V]) Each(fn func(K, V)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.entries {
		fn(e.key, e.value)
	}
}
