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

// encodeArray writes an array; after the first element it decides from
// that element's size whether to split the rest across goroutines.
func encodeArray[E any](e *encoder, x []E, depth int) {
	n := len(x)
	start, startPos := len(e.buf), e.pos()
	for i, el := range x {
		e.element(i, depth, start, n)
		e.value(el, depth+1)
		if i == 0 && e.splits(e.pos()-startPos, n) {
			e.encodeParallel(anySlice(x[1:]), 1, n, start, depth)
			break
		}
	}
	e.closeArray(depth, n)
}

// anySlice views the elements as values of the tree (a []any is returned
// as it is).
func anySlice[E any](x []E) []any {
	if a, ok := any(x).([]any); ok {
		return a
	}
	out := make([]any, len(x))
	for i, el := range x {
		out[i] = el
	}
	return out
}

// splits reports whether an array of n elements whose first took first
// bytes is worth splitting.
func (e *encoder) splits(first, n int) bool {
	return !e.worker && n >= 8 && first*n >= parallelMinBytes && runtime.GOMAXPROCS(0) > 1
}

// encodeParallel encodes rest, elements from..n-1 of an array that began at
// buffer offset start, with one goroutine per processor, in rounds when
// streaming. This goroutine encodes the first range of each round into
// its own buffer, so that only the others' ranges are copied.
func (e *encoder) encodeParallel(rest []any, from, n, start, depth int) {
	k := min(runtime.GOMAXPROCS(0), 8)
	round := len(rest)
	if e.w != nil {
		round = k * streamBatch
	} else {
		// One growth for the whole array, extrapolated from what is
		// written; the joins below then copy into reserved room.
		per := max((len(e.buf)-start)/from, 1)
		e.grow(per*len(rest) + per*len(rest)/16 + reserveSlack)
	}
	helpers := make([]*encoder, k)
	for lo := 0; lo < len(rest); lo += round {
		part := rest[lo:min(lo+round, len(rest))]
		size := (len(part) + k - 1) / k
		var wg sync.WaitGroup
		for h := 1; h < k && h*size < len(part); h++ {
			wg.Go(func() {
				helpers[h] = e.encodeRange(part[h*size:min((h+1)*size, len(part))], depth)
			})
		}
		for j, el := range part[:min(size, len(part))] {
			e.element(from+lo+j, depth, start, n)
			e.value(el, depth+1)
		}
		wg.Wait()
		for h := 1; h < k && helpers[h] != nil; h++ {
			e.join(helpers[h].buf)
			helpers[h].release()
			helpers[h] = nil
		}
	}
}

// encodeRange encodes elements that follow at least one other, each with
// its separator and indentation, into a new worker encoder's buffer.
func (e *encoder) encodeRange(elems []any, depth int) *encoder {
	h := getEncoder(e.pretty, nil)
	h.worker = true
	for j, el := range elems {
		h.buf = append(h.buf, ',')
		if j > 0 {
			h.reserve(j, 0, len(elems))
		}
		h.newline(depth + 1)
		h.value(el, depth+1)
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
