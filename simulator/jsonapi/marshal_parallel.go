package jsonapi

import (
	"runtime"
	"sync"
)

// A large array — a collection of thousands of sessions, tens of
// megabytes pretty-printed — is encoded by one goroutine per processor:
// each encodes a contiguous range of elements into its own buffer and the
// buffers are joined in order, so the bytes are exactly the sequential
// encoder's. On two cores this halves the time a GET of 10,000 sessions
// spends serialising (the body and the ETag's compact dump).

const (
	// parallelMinBytes is the estimated size of an array (its first
	// element's size times its length) from which it is split.
	parallelMinBytes = 256 << 10
	// streamBatch is how many elements each goroutine encodes per round
	// when streaming (MarshalTo, ETagOf): it bounds the memory in flight,
	// and keeps a helper's buffer (64 pretty sessions, ~200 KB) small
	// enough for the encoder pool to keep (maxPooledBuffer); at 128 every
	// round faulted in fresh buffers.
	streamBatch = 64
)

// encodeArray writes the array of the n elements at(0)…at(n-1); after the
// first element it decides from that element's size whether to split the
// rest across goroutines.
func encodeArray(e *encoder, n int, at func(i int) any, depth int) {
	if page := e.page; page && n > pageRows {
		e.page = false
		defer func() { e.page = page }()
	}
	start, startPos := len(e.buf), e.pos()
	for i := range n {
		e.element(i, depth, start, n)
		e.value(at(i), depth+1)
		if i == 0 && e.splits(e.pos()-startPos, n) {
			if e.w != nil {
				e.streamParallel(at, 1, n, depth)
			} else {
				e.encodeParallel(at, 1, n, start, depth)
			}
			break
		}
	}
	e.closeArray(depth, n)
}

// splits reports whether an array of n elements whose first took first
// bytes is worth splitting.
func (e *encoder) splits(first, n int) bool {
	return !e.worker && n >= 8 && first*n >= parallelMinBytes && runtime.GOMAXPROCS(0) > 1
}

// encodeParallel encodes elements from..n-1 of an array that began at
// buffer offset start, with one goroutine per processor. This goroutine
// encodes the first range into its own buffer, so that only the others'
// ranges are copied.
func (e *encoder) encodeParallel(at func(i int) any, from, n, start, depth int) {
	k := min(runtime.GOMAXPROCS(0), 8)
	// One growth for the whole array, extrapolated from what is written;
	// the joins below then copy into reserved room.
	per := max((len(e.buf)-start)/from, 1)
	e.grow(per*(n-from) + per*(n-from)/16 + reserveSlack)
	helpers := make([]*encoder, k)
	size := (n - from + k - 1) / k
	var wg sync.WaitGroup
	for h := 1; h < k && from+h*size < n; h++ {
		wg.Go(func() {
			helpers[h] = e.encodeRange(at, from+h*size, min(from+(h+1)*size, n), depth)
		})
	}
	for i := from; i < min(from+size, n); i++ {
		e.element(i, depth, start, n)
		e.value(at(i), depth+1)
	}
	wg.Wait()
	for h := 1; h < k && helpers[h] != nil; h++ {
		e.joinHoles(helpers[h])
		e.buf = append(e.buf, helpers[h].buf...)
		helpers[h].release()
	}
}

// streamParallel streams elements from..n-1 of an array in rounds of
// streamBatch elements per processor: while this goroutine writes a round
// out, one goroutine per processor encodes the next. Encoding a round on
// this goroutine too and then writing it kept one processor idle while
// the rows were encoded, and all of them while it was written.
func (e *encoder) streamParallel(at func(i int) any, from, n, depth int) {
	k := min(runtime.GOMAXPROCS(0), 8)
	round := k * streamBatch
	// encodeRound starts encoding the round that begins at lo; the
	// function it returns waits for the round's parts, in order.
	encodeRound := func(lo int) func() []*encoder {
		hi := min(lo+round, n)
		size := (hi - lo + k - 1) / k
		parts := make([]*encoder, k)
		var wg sync.WaitGroup
		for h := 0; h < k && lo+h*size < hi; h++ {
			wg.Go(func() { parts[h] = e.encodeRange(at, lo+h*size, min(lo+(h+1)*size, hi), depth) })
		}
		return func() []*encoder { wg.Wait(); return parts }
	}
	e.flush()
	next := encodeRound(from)
	for lo := from; lo < n; lo += round {
		parts := next()
		if lo+round < n {
			next = encodeRound(lo + round)
		}
		for _, p := range parts {
			if p != nil {
				e.write(p.buf)
				p.release()
			}
		}
	}
}

// encodeRange encodes elements lo…hi-1, which follow at least one other,
// each with its separator and indentation, into a new worker encoder's
// buffer.
func (e *encoder) encodeRange(at func(i int) any, lo, hi, depth int) *encoder {
	h := getEncoder(e.pretty, nil)
	h.worker, h.page, h.marked = true, e.page, e.marked
	if e.holes != nil {
		h.holes = new([]Hole)
	}
	for i := lo; i < hi; i++ {
		h.buf = append(h.buf, ',')
		if i > lo {
			h.reserve(i-lo, 0, hi-lo)
		}
		h.newline(depth + 1)
		h.value(at(i), depth+1)
	}
	return h
}
