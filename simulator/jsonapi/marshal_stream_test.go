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
	// Start without kept buffers: another test's larger one would be
	// handed out here (by design) and hide the reserve.
	emptyKeptBuffers(t)
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
			for range 2 { // the second call reuses the first one's buffer
				data, release := MarshalPooled(doc, pretty)
				if !bytes.Equal(data, want) {
					t.Errorf("GOMAXPROCS %d pretty=%v: MarshalPooled differs from the sequential encoding", procs, pretty)
				}
				release()
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

// TestKeptBuffers: at most maxBigBuffers are kept, a larger buffer
// replaces the smallest, and takeBuffer hands out the smallest that fits.
func TestKeptBuffers(t *testing.T) {
	emptyKeptBuffers(t)
	const mb = 1 << 20
	for _, size := range []int{1, 2, 3, 4, 8} {
		keepBuffer(make([]byte, 0, size*mb))
	}
	keepBuffer(make([]byte, 0, maxRetainedBuffer+1)) // too large to keep
	if got := len(bigBuffers.free); got != maxBigBuffers {
		t.Fatalf("%d buffers kept, want %d", got, maxBigBuffers)
	}
	if b := takeBuffer(3*mb + 1); cap(b) != 4*mb || len(b) != 0 {
		t.Errorf("takeBuffer(3 MB + 1) = len %d cap %d, want the empty 4 MB buffer", len(b), cap(b))
	}
	if b := takeBuffer(9 * mb); b != nil {
		t.Errorf("takeBuffer(9 MB) = cap %d, want nil", cap(b))
	}
	if b := takeBuffer(1); cap(b) != 2*mb {
		t.Errorf("takeBuffer(1) = cap %d, want the smallest kept (2 MB; 1 MB was replaced by 8 MB)", cap(b))
	}
}

// TestKeptBufferFitsTheNextSimilarReply: a collection whose first row
// prints a little longer than last time (a session's clock values gain
// digits) is estimated a little larger; it must still be encoded into the
// buffer kept from the previous reply, not a fresh one.
func TestKeptBufferFitsTheNextSimilarReply(t *testing.T) {
	emptyKeptBuffers(t)
	doc := sessionFixture(t, 3000)
	first, release := MarshalPooled(doc, true)
	backing := &first[:1][0]
	release()
	rows := doc["data"].([]any)
	rows[0].(map[string]any)["attributes"].(map[string]any)["user"] = "a-user-name-some-fifty-bytes-longer-than-maxuser" // ~1.5 % more
	again, release := MarshalPooled(doc, true)
	defer release()
	if &again[:1][0] != backing {
		t.Error("the second reply did not reuse the first one's buffer")
	}
}

// emptyKeptBuffers empties the kept large buffers for the test and puts
// them back after it.
func emptyKeptBuffers(t *testing.T) {
	bigBuffers.mu.Lock()
	saved := bigBuffers.free
	bigBuffers.free = nil
	bigBuffers.mu.Unlock()
	t.Cleanup(func() {
		bigBuffers.mu.Lock()
		bigBuffers.free = saved
		bigBuffers.mu.Unlock()
	})
}
