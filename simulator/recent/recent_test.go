package recent

import (
	"fmt"
	"testing"
)

// TestList: a List keeps the most recently used values within its count
// and size bounds, one value a key.
func TestList(t *testing.T) {
	const max, maxSize = 4, 100
	l := New[string](max, maxSize, func(b []byte) int { return len(b) })
	contents := func() (n, size int) {
		l.Each(func(_ string, b []byte) { n, size = n+1, size+len(b) })
		return n, size
	}
	for i := range max + 1 {
		l.Put(fmt.Sprint(i), []byte{byte(i)})
	}
	if _, ok := l.Get("0"); ok {
		t.Errorf("the least recently used of %d values is still kept", max+1)
	}
	if v, ok := l.Get("1"); !ok || v[0] != 1 {
		t.Errorf("Get(1) = %v, %v", v, ok)
	}
	l.Put("big", make([]byte, maxSize)) // pushes out all but itself
	if _, ok := l.Get("1"); ok {
		t.Error("a value of the whole size bound left another kept")
	}
	if n, size := contents(); n != 1 || size != maxSize {
		t.Errorf("after a value of %d bytes: %d values, %d bytes", maxSize, n, size)
	}
	l.Put("big", []byte("x"))
	if v, _ := l.Get("big"); string(v) != "x" {
		t.Errorf("a value put again under its key: %q", v)
	}
	if n, size := contents(); n != 1 || size != 1 {
		t.Errorf("after a value put again under its key: %d values, %d bytes", n, size)
	}
	l.Put("huge", make([]byte, maxSize+1))
	if _, ok := l.Get("huge"); ok {
		t.Error("a value beyond the size bound was kept")
	}

	counted := New[int, int](2, 0, nil) // the count alone
	for i := range 3 {
		counted.Put(i, i)
	}
	if _, ok := counted.Get(0); ok {
		t.Error("a List without sizes kept more values than its count")
	}
	if v, ok := counted.Get(2); !ok || v != 2 {
		t.Errorf("Get(2) = %v, %v", v, ok)
	}
}
