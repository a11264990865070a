package jsonapi

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// The marked form is what kept encodings (Frozen members, raw values) are
// held in: the pretty format with each line break and its indentation, and
// each key's `: `, written as one '\n' byte. A '\n' never occurs inside a
// JSON string (it is escaped), so a marker is found without scanning
// strings, and no marker is next to another, so what one stands for is
// read off its neighbours: after '{' or '[' a line break one level in,
// after ',' one at the same level, before '}' or ']' one a level out,
// anywhere else (after a key) the colon. The depth is counted from the
// encoding's own start, so any part of a marked value that is itself a
// value is a marked value, and nesting has no limit. It costs a byte per
// line break over the compact form (the colon's marker replaces ':'): ~60
// bytes a listed session (BenchmarkListedHeap). Indenting compact
// encodings instead, strings scanned for their ends, was 45 % of the CPU
// of a GET of 10,000 sessions.

// unmark writes a marked encoding (a value, or a member's `"key"\nvalue`)
// at depth in e's format. It copies a word of eight bytes at a time and
// calls nothing: the runs between markers are ~10 bytes long, and a call
// of bytes.IndexByte and of memmove for each run (then of a helper for
// each run and marker) cost more than the copying. (Branch-free variants,
// a table for the marker's kind or two words a step, were slower: they
// make each marker wait for the one before it.)
func (e *encoder) unmark(enc []byte, depth int) {
	if e.marked {
		e.buf = append(e.buf, enc...)
		return
	}
	buf, n := e.buf[:cap(e.buf)], len(e.buf)
	i := 0
	for {
		// Copy up to the next marker, a word at a time; a word may be
		// stored past the run's end, where the next write goes.
		if n+len(enc)-i+8 > len(buf) {
			buf = room(buf, n, len(enc)-i+8)
		}
		for i+8 <= len(enc) {
			w := binary.LittleEndian.Uint64(enc[i:])
			binary.LittleEndian.PutUint64(buf[n:], w)
			// The lowest byte of w that is '\n' gives the lowest set
			// high bit (higher ones may be set by the borrow).
			if x := w ^ '\n'*ones; (x-ones)&^x&highs != 0 {
				k := bits.TrailingZeros64((x-ones)&^x&highs) >> 3
				i, n = i+k, n+k
				goto marker
			}
			i, n = i+8, n+8
		}
		for i < len(enc) && enc[i] != '\n' {
			buf[n] = enc[i]
			i, n = i+1, n+1
		}
		if i == len(enc) {
			break
		}
	marker:
		switch prev, next := enc[i-1], enc[i+1]; {
		case prev == '{' || prev == '[':
			depth++
		case prev == ',':
		case next == '}' || next == ']':
			depth--
		default: // the colon
			buf[n] = ':'
			n++
			if e.pretty {
				buf[n] = ' '
				n++
			}
			i++
			continue
		}
		i++
		if !e.pretty {
			continue
		}
		// A line break and the indentation of depth, a word at a time:
		// four words whatever the depth, then the rest, so that the
		// loop's end is not mispredicted up to depth 7.
		size := 1 + 4*depth
		if n+size+32 > len(buf) {
			buf = room(buf, n, size+32)
		}
		binary.LittleEndian.PutUint64(buf[n:], lineSpaces)
		binary.LittleEndian.PutUint64(buf[n+8:], spaces)
		binary.LittleEndian.PutUint64(buf[n+16:], spaces)
		binary.LittleEndian.PutUint64(buf[n+24:], spaces)
		for k := 32; k < size; k += 8 {
			binary.LittleEndian.PutUint64(buf[n+k:], spaces)
		}
		n += size
	}
	e.buf = buf[:n]
}

const (
	ones   = 0x0101010101010101
	highs  = 0x8080808080808080
	spaces = ' ' * ones
	// lineSpaces is '\n' and seven spaces.
	lineSpaces = spaces&^0xFF | '\n'
)

// room returns buf, whose first n bytes are written, with at least need
// bytes after them, at its full length.
func room(buf []byte, n, need int) []byte {
	buf = slices.Grow(buf[:n], need)
	return buf[:cap(buf)]
}

// encodeMarked returns v's marked encoding, and whether it does not give v
// back (encoder.lossy).
func encodeMarked(v any) (raw, bool) {
	e := getEncoder(false, nil)
	e.marked, e.worker = true, true
	e.value(v, 0)
	enc, lossy := raw(slices.Clone(e.buf)), e.lossy
	e.release()
	return enc, lossy
}
