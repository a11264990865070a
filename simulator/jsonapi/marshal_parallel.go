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
	// when streaming (MarshalTo, ETagOf): it bounds the memory in flight.
	streamBatch = 128
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
			e.encodeParallel(at, 1, n, start, depth)
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
// buffer offset start, with one goroutine per processor, in rounds when
// streaming. This goroutine encodes the first range of each round into
// its own buffer, so that only the others' ranges are copied.
func (e *encoder) encodeParallel(at func(i int) any, from, n, start, depth int) {
	k := min(runtime.GOMAXPROCS(0), 8)
	round := n - from
	if e.w != nil {
		round = k * streamBatch
	} else {
		// One growth for the whole array, extrapolated from what is
		// written; the joins below then copy into reserved room.
		per := max((len(e.buf)-start)/from, 1)
		e.grow(per*(n-from) + per*(n-from)/16 + reserveSlack)
	}
	helpers := make([]*encoder, k)
	for lo := from; lo < n; lo += round {
		hi := min(lo+round, n)
		size := (hi - lo + k - 1) / k
		var wg sync.WaitGroup
		for h := 1; h < k && lo+h*size < hi; h++ {
			wg.Go(func() {
				helpers[h] = e.encodeRange(at, lo+h*size, min(lo+(h+1)*size, hi), depth)
			})
		}
		for i := lo; i < min(lo+size, hi); i++ {
			e.element(i, depth, start, n)
			e.value(at(i), depth+1)
		}
		wg.Wait()
		for h := 1; h < k && helpers[h] != nil; h++ {
			e.join(helpers[h].buf)
			helpers[h].release()
			helpers[h] = nil
		}
	}
}

// encodeRange encodes elements lo…hi-1, which follow at least one other,
// each with its separator and indentation, into a new worker encoder's
// buffer.
func (e *encoder) encodeRange(at func(i int) any, lo, hi, depth int) *encoder {
	h := getEncoder(e.pretty, nil)
	h.worker, h.page = true, e.page
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

// join appends a worker's bytes: written out directly when streaming.
func (e *encoder) join(p []byte) {
	if e.w != nil {
		e.flush()
		e.write(p)
		return
	}
	e.buf = append(e.buf, p...)
}
