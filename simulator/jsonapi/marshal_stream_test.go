package jsonapi

import (
	"bytes"
	"errors"
	"runtime"
	"testing"
)

// TestMarshalToMatchesMarshal: streaming writes the same bytes as Marshal,
// for documents smaller and much larger than the flush size.
func TestMarshalToMatchesMarshal(t *testing.T) {
	tests := []struct {
		name string
		doc  any
	}{
		{"scalar", int64(1)},
		{"empty object", map[string]any{}},
		{"one session", sessionFixture(t, 1)},
		{"500 sessions", sessionFixture(t, 500)},
	}
	for _, tc := range tests {
		for _, pretty := range []bool{true, false} {
			var buf bytes.Buffer
			if err := MarshalTo(&buf, tc.doc, pretty); err != nil {
				t.Fatalf("%s: MarshalTo: %v", tc.name, err)
			}
			if want := Marshal(tc.doc, pretty); !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s pretty=%v: MarshalTo wrote %d bytes, Marshal %d, and they differ",
					tc.name, pretty, buf.Len(), len(want))
			}
		}
	}
}

// failingWriter accepts limit bytes, then fails every write.
type failingWriter struct{ limit int }

var errWriterFull = errors.New("writer full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.limit {
		n := w.limit
		w.limit = 0
		return n, errWriterFull
	}
	w.limit -= len(p)
	return len(p), nil
}

func TestMarshalToReturnsFirstWriteError(t *testing.T) {
	doc := sessionFixture(t, 100)
	if err := MarshalTo(&failingWriter{limit: 1000}, doc, true); !errors.Is(err, errWriterFull) {
		t.Errorf("MarshalTo into a failing writer = %v, want %v", err, errWriterFull)
	}
	if err := MarshalTo(&failingWriter{limit: 1 << 30}, doc, true); err != nil {
		t.Errorf("MarshalTo into a large enough writer = %v", err)
	}
}

func TestETagOfMatchesETagOfMarshal(t *testing.T) {
	for _, doc := range []any{nil, map[string]any{}, sessionFixture(t, 1), sessionFixture(t, 300)} {
		if got, want := ETagOf(doc), ETag(Marshal(doc, false)); got != want {
			t.Errorf("ETagOf = %s, ETag(Marshal) = %s", got, want)
		}
	}
}

// TestMarshalReservesForLongArrays: the extrapolating reserve leaves at
// most a small overshoot for a uniform collection (no doubling).
func TestMarshalReservesForLongArrays(t *testing.T) {
	doc := sessionFixture(t, 2000)
	out := Marshal(doc, true)
	if slack := cap(out) - len(out); slack > len(out)/8 {
		t.Errorf("Marshal of 2,000 sessions: %d bytes, capacity %d (more than 1/8 unused)", len(out), cap(out))
	}
}

// TestParallelMatchesSequential: a collection large enough to be split
// across goroutines encodes to the sequential encoder's bytes, in memory
// and streamed, with even and uneven splits.
func TestParallelMatchesSequential(t *testing.T) {
	doc := sessionFixture(t, 3001)
	for _, procs := range []int{2, 3, 8} {
		prev := runtime.GOMAXPROCS(procs)
		for _, pretty := range []bool{true, false} {
			seq := getEncoder(pretty, nil)
			seq.worker = true // never splits
			seq.value(doc, 0)
			want := bytes.Clone(seq.buf)
			seq.release()
			if got := Marshal(doc, pretty); !bytes.Equal(got, want) {
				t.Errorf("GOMAXPROCS %d pretty=%v: Marshal differs from the sequential encoding", procs, pretty)
			}
			var buf bytes.Buffer
			if err := MarshalTo(&buf, doc, pretty); err != nil || !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("GOMAXPROCS %d pretty=%v: MarshalTo differs from the sequential encoding (err %v)", procs, pretty, err)
			}
			if !pretty && ETagOf(doc) != ETag(want) {
				t.Errorf("GOMAXPROCS %d: ETagOf differs from the sequential encoding's", procs)
			}
		}
		runtime.GOMAXPROCS(prev)
	}
}
