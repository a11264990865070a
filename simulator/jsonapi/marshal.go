package jsonapi

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Marshal serialises a JSON tree the way MaxScale's REST API does (jansson
// with JSON_SORT_KEYS and either JSON_INDENT(4) or JSON_COMPACT):
//
//   - object keys are always sorted byte-wise, at every depth;
//   - pretty output indents by 4 spaces and writes `"key": value`; empty
//     objects and arrays are `{}` and `[]`; no trailing newline;
//   - compact output has no whitespace at all;
//   - reals (float32/float64) use 17 significant digits (`%.17g`), get `.0`
//     when they would otherwise look like integers, and have exponents
//     without `+` or leading zeros (jansson's jsonp_dtostr); NaN and ±Inf,
//     which jansson cannot represent, are written as null;
//   - integers (every Go integer kind) are written as integers;
//   - strings escape only `"`, `\` and control characters (`\b \f \n \r \t`,
//     otherwise `\u00XX` with upper-case hex); `/` and non-ASCII are kept.
//     Invalid UTF-8 becomes U+FFFD so the output is always valid JSON.
//
// The tree convention is map[string]any, []any, string, bool, nil, int64
// (or any integer kind) and float64. The common concrete containers
// (map[string]string, []string, []map[string]any, map[string]int64 …) are
// handled directly; any other value is converted through encoding/json
// first, which is slow but keeps Marshal total. A nil map or slice of a
// concrete type prints as `{}` or `[]` (so an unset `queries` slice is
// `[]`, as MaxScale prints it); only an untyped nil prints as null.
func Marshal(v any, pretty bool) []byte {
	e := getEncoder(pretty, nil)
	e.value(v, 0)
	out := e.buf
	if len(out) <= maxPooledBuffer {
		out = bytes.Clone(out) // the buffer stays with the encoder
	} else {
		e.buf = nil // a large result leaves with its buffer
	}
	e.release()
	return out
}

// AppendMarshal is Marshal writing into an existing buffer, for callers that
// reuse buffers.
func AppendMarshal(buf *bytes.Buffer, v any, pretty bool) {
	e := getEncoder(pretty, nil)
	own := e.buf
	e.buf = buf.AvailableBuffer()
	e.value(v, 0)
	buf.Write(e.buf)
	e.buf = own
	e.release()
}

// MarshalTo writes Marshal(v, pretty) to w in chunks of about 32 KiB, so a
// large collection is never held in memory whole. It returns the first
// write error; encoding itself cannot fail.
func MarshalTo(w io.Writer, v any, pretty bool) error {
	e := getEncoder(pretty, w)
	if cap(e.buf) < flushAt+flushAt/4 {
		e.buf = make([]byte, 0, flushAt+flushAt/4)
	}
	e.value(v, 0)
	e.flush()
	err := e.err
	e.release()
	return err
}

// encoders recycles encoders with their scratch slices and output buffer:
// allocating them afresh was the largest share of the bytes allocated per
// GET of one session. An encoder whose work panicked is not put back.
var encoders = sync.Pool{New: func() any { return new(encoder) }}

// maxPooledBuffer is the largest result Marshal copies out of the
// encoder's buffer; a larger one is handed over with the buffer.
const maxPooledBuffer = 256 << 10

// grow makes room for need more bytes.
func (e *encoder) grow(need int) {
	if cap(e.buf)-len(e.buf) < need {
		e.buf = slices.Grow(e.buf, need)
	}
}

func getEncoder(pretty bool, w io.Writer) *encoder {
	e := encoders.Get().(*encoder)
	e.pretty, e.w, e.err, e.written, e.worker, e.lossy, e.digest, e.page = pretty, w, nil, 0, false, false, false, true
	e.marked, e.holes = false, nil
	e.buf = e.buf[:0]
	return e
}

func (e *encoder) release() {
	if cap(e.buf) > maxPooledBuffer {
		e.buf = nil // the pool keeps small buffers only
	}
	e.w, e.err = nil, nil
	encoders.Put(e)
}

// The encoder appends to a plain byte slice: bytes.Buffer's per-call
// bookkeeping was a visible share of the profile for large collections.
type encoder struct {
	buf    []byte
	pretty bool
	// marked, with pretty false, writes the marked form that kept
	// encodings are held in (see unmark): a '\n' wherever the pretty
	// format breaks a line and in place of each key's colon.
	marked bool
	// keys is a stack of scratch slices, one per object depth, reused so
	// that sorting keys does not allocate for every object.
	keys [][]string
	// members is the same for map[string]any, whose values are collected
	// with the keys: one map iteration, no lookups.
	members [][]member
	// w, when set, receives the output whenever flushAt bytes are buffered
	// (MarshalTo); err is its first error.
	w   io.Writer
	err error
	// written counts the bytes already flushed to w.
	written int
	// worker marks an encoder that encodes part of a large array for
	// another: it never splits arrays itself.
	worker bool
	// lossy is set when a value was written that decoding the output
	// would not give back (invalid UTF-8, NaN, an integer above
	// MaxInt64, a value converted through encoding/json).
	lossy bool
	// digest writes a Frozen's shown members as their kept digest
	// instead of their bytes (DigestOf).
	digest bool
	// page is cleared inside an array of more than pageRows elements:
	// outside, Frozen objects keep their pretty encodings (pagecache.go).
	page bool
	// holes, when not nil, records where the values a Member's pointer
	// stands for are written (MarshalHoles); it never streams.
	holes *[]Hole
}

// flushAt is the buffered size at which a streaming encoder writes out.
const flushAt = 32 << 10

func (e *encoder) maybeFlush() {
	if e.w != nil && len(e.buf) >= flushAt {
		e.flush()
	}
}

func (e *encoder) flush() {
	e.write(e.buf)
	e.buf = e.buf[:0]
}

// write hands p to w, after which it counts as written.
func (e *encoder) write(p []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(p)
	}
	e.written += len(p)
}

// pos is the number of bytes encoded so far, flushed or buffered.
func (e *encoder) pos() int { return e.written + len(e.buf) }

// lineBreak is a line break and the indentation of 16 levels, written in
// one call.
const lineBreak = "\n                                                                "

func (e *encoder) newline(depth int) {
	if !e.pretty {
		if e.marked {
			e.buf = append(e.buf, '\n')
		}
		return
	}
	n := 4 * depth
	if n < len(lineBreak) {
		e.buf = append(e.buf, lineBreak[:1+n]...)
		return
	}
	e.buf = append(e.buf, lineBreak...)
	for n -= len(lineBreak) - 1; n > 0; {
		k := min(n, len(lineBreak)-1)
		e.buf = append(e.buf, lineBreak[1:1+k]...)
		n -= k
	}
}

// real writes a float as jansson does; NaN and infinities, written as
// null, do not give the value back.
func (e *encoder) real(x float64) {
	e.lossy = e.lossy || math.IsNaN(x) || math.IsInf(x, 0)
	e.buf = AppendReal(e.buf, x)
}

func (e *encoder) value(v any, depth int) {
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, "null"...)
	case string:
		e.str(x)
	case bool:
		e.buf = strconv.AppendBool(e.buf, x)
	case int64:
		e.int(x)
	case int:
		e.int(int64(x))
	case int32:
		e.int(int64(x))
	case int16:
		e.int(int64(x))
	case int8:
		e.int(int64(x))
	case uint64:
		e.lossy = e.lossy || x > math.MaxInt64
		e.buf = strconv.AppendUint(e.buf, x, 10)
	case uint:
		e.lossy = e.lossy || uint64(x) > math.MaxInt64
		e.buf = strconv.AppendUint(e.buf, uint64(x), 10)
	case uint32:
		e.int(int64(x))
	case uint16:
		e.int(int64(x))
	case uint8:
		e.int(int64(x))
	case float64:
		e.real(x)
	case float32:
		e.real(float64(x))
	case *float64: // a Member's value in place (Member)
		start := len(e.buf)
		e.real(*x)
		e.hole(start, x)
	case *int64:
		start := len(e.buf)
		e.int(*x)
		e.hole(start, x)
	case *string:
		start := len(e.buf)
		e.str(*x)
		e.hole(start, x)
	case map[string]any:
		for i, m := range e.sortedMembers(depth, x) {
			e.openMember(i, m.key, depth)
			e.value(m.value, depth+1)
		}
		e.closeObject(depth, len(x))
	case map[string]string:
		for i, k := range sortedKeys(e, depth, x) {
			e.openMember(i, k, depth)
			e.str(x[k])
		}
		e.closeObject(depth, len(x))
	case map[string]int64:
		for i, k := range sortedKeys(e, depth, x) {
			e.openMember(i, k, depth)
			e.int(x[k])
		}
		e.closeObject(depth, len(x))
	case []any:
		encodeArray(e, len(x), func(i int) any { return x[i] }, depth)
	case []map[string]any:
		encodeArray(e, len(x), func(i int) any { return x[i] }, depth)
	case *Rows:
		encodeArray(e, x.Len(), x.At, depth)
	case []string:
		start := len(e.buf)
		for i, el := range x {
			e.element(i, depth, start, len(x))
			e.str(el)
		}
		e.closeArray(depth, len(x))
	case json.Number:
		e.lossy = true
		e.number(x)
	case *Frozen:
		e.overlay(&Overlay{base: x}, depth)
	case *Overlay:
		e.overlay(x, depth)
	case raw:
		e.unmark(x, depth)
	default:
		e.lossy = true
		e.value(viaEncodingJSON(x), depth)
	}
}

// viaEncodingJSON converts an arbitrary Go value into the tree convention.
// Values encoding/json cannot handle become null rather than a panic.
func viaEncodingJSON(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	tree, err := Decode(raw)
	if err != nil {
		return nil
	}
	return tree
}

func (e *encoder) number(n json.Number) {
	if v, err := convertNumber(n); err == nil {
		e.value(v, 0)
		return
	}
	e.buf = append(e.buf, "null"...)
}

func (e *encoder) int(v int64) {
	e.buf = strconv.AppendInt(e.buf, v, 10)
}

// AppendReal appends f formatted like jansson's jsonp_dtostr with the
// default precision of 17 significant digits: C's %.17g, then ".0" when
// that looks like an integer, and the exponent without '+' or leading
// zeros. A page of 100 sessions writes 200 reals on every GET (idle and
// seconds_alive), which strconv's %.17g made a quarter of its CPU: the
// digits of the reals sessions show come from digits17 instead.
func AppendReal(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	if math.Signbit(f) {
		dst = append(dst, '-')
		f = -f
	}
	if f == 0 { // the idle of every session running a query: not worth strconv's %e
		return append(dst, "0.0"...)
	}
	var digits [17]byte
	d, exp, ok := digits17(f)
	if ok && exp >= 0 && exp < 16 {
		return appendFixed17(dst, d, exp)
	}
	if ok {
		put17(&digits, d)
	} else {
		var tmp [32]byte
		e := strconv.AppendFloat(tmp[:0], f, 'e', 16, 64) // d.dddddddddddddddde±dd
		ePos := bytes.IndexByte(e, 'e')
		exp, _ = strconv.Atoi(string(e[ePos+1:]))
		digits[0] = e[0]
		copy(digits[1:], e[2:ePos])
	}
	n := len(digits) // without %g's trailing zeros
	for n > 1 && digits[n-1] == '0' {
		n--
	}
	switch {
	case exp < -4 || exp >= len(digits): // d.ddde[-]x
		dst = append(dst, digits[0])
		if n > 1 {
			dst = append(append(dst, '.'), digits[1:n]...)
		}
		dst = append(dst, 'e')
		return strconv.AppendInt(dst, int64(exp), 10)
	case exp < 0: // 0.000ddd
		dst = append(dst, "0."...)
		for range -exp - 1 {
			dst = append(dst, '0')
		}
		return append(dst, digits[:n]...)
	case n <= exp+1: // an integer's digits: jansson adds ".0"
		dst = append(dst, digits[:exp+1]...)
		return append(dst, ".0"...)
	}
	dst = append(dst, digits[:exp+1]...)
	return append(append(dst, '.'), digits[exp+1:n]...)
}

// appendFixed17 appends the 17 digits of d with the point after the
// first exp+1, less trailing zeros (".0" when none is left): AppendReal's
// form for the reals from 1 to 10^16 (an idle or seconds_alive past its
// first second), written in place.
func appendFixed17(dst []byte, d uint64, exp int) []byte {
	n := len(dst)
	dst = slices.Grow(dst, 18)[:n+18]
	b := (*[18]byte)(dst[n:])
	put17((*[17]byte)(b[1:]), d)
	copy(b[:exp+1], b[1:exp+2]) // the integer's digits one to the left
	b[exp+1] = '.'
	end := 18
	for end > exp+2 && b[end-1] == '0' {
		end--
	}
	if end == exp+2 { // an integer's digits: jansson adds ".0"
		b[end] = '0'
		end++
	}
	return dst[:n+end]
}

// put17 writes d, a number of 17 digits, as its digits: from 32-bit
// halves split into groups of four digits that are written two at a time
// independently of each other, where strconv divides all 64 bits by 100
// eight times in a row (half of AppendReal's time).
func put17(digits *[17]byte, d uint64) {
	hi, lo := uint32(d/1e8), uint32(d%1e8) // 9 and 8 digits
	digits[0] = byte('0' + hi/1e8)
	put8((*[8]byte)(digits[1:9]), hi%1e8)
	put8((*[8]byte)(digits[9:]), lo)
}

func put8(b *[8]byte, x uint32) {
	put4((*[4]byte)(b[:4]), x/1e4)
	put4((*[4]byte)(b[4:]), x%1e4)
}

func put4(b *[4]byte, x uint32) {
	p, q := x/100*2, x%100*2
	b[0], b[1], b[2], b[3] = digitPairs[p], digitPairs[p+1], digitPairs[q], digitPairs[q+1]
}

const digitPairs = "00010203040506070809" + "10111213141516171819" + "20212223242526272829" +
	"30313233343536373839" + "40414243444546474849" + "50515253545556575859" +
	"60616263646566676869" + "70717273747576777879" + "80818283848586878889" + "90919293949596979899"

// pow10 are the powers of ten that fit 64 bits.
var pow10 = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// digits17 returns f's first 17 significant digits as an integer, rounded
// half to even from f's exact value (as %.16e has them), and the decimal
// exponent of the first: f ≈ d × 10^(exp-16). It does so for the reals
// between 0.001 and 2^53 that are not integers (every idle and
// seconds_alive of a session but the first milliseconds'), with one
// 64×64-bit product: f is m × 2^-s exactly, so d is m × 10^k shifted right
// by s, rounded. ok is false for the others.
func digits17(f float64) (d uint64, exp int, ok bool) {
	b := math.Float64bits(f)
	e2 := int(b>>52) & 0x7FF
	s := 1075 - e2 // f = m × 2^-s
	if e2 == 0 || s <= 0 || s >= 64 {
		return 0, 0, false
	}
	m := b&(1<<52-1) | 1<<52
	// floor(log10(2^(e2-1023))), as f is at least 2^(e2-1023) and less
	// than twice that: the exponent or one less.
	exp = (e2 - 1023) * 78913 >> 18
	for range 2 {
		k := 16 - exp
		if k < 0 || k >= len(pow10) {
			return 0, 0, false
		}
		hi, lo := bits.Mul64(m, pow10[k])
		if hi>>s != 0 {
			return 0, 0, false
		}
		d = hi<<(64-s) | lo>>s
		rem, half := lo&(1<<s-1), uint64(1)<<(s-1)
		if rem > half || rem == half && d&1 == 1 {
			d++
		}
		if d < pow10[17] {
			return d, exp, true
		}
		exp++ // 18 digits: one less power of ten
	}
	return 0, 0, false
}

// sortedKeys returns m's keys sorted, in the scratch slice of this depth.
// Deeper objects use deeper slices, so the slice stays intact while the
// object's values are written.
func sortedKeys[V any](e *encoder, depth int, m map[string]V) []string {
	for len(e.keys) <= depth {
		e.keys = append(e.keys, nil)
	}
	keys := e.keys[depth][:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.keys[depth] = keys
	return keys
}

type member struct {
	key   string
	value any
}

// sortedMembers returns m's members sorted by key, in the scratch slice of
// this depth.
func (e *encoder) sortedMembers(depth int, m map[string]any) []member {
	for len(e.members) <= depth {
		e.members = append(e.members, nil)
	}
	ms := e.members[depth][:0]
	for k, v := range m {
		ms = append(ms, member{k, v})
	}
	if len(ms) > 12 {
		slices.SortFunc(ms, func(a, b member) int { return strings.Compare(a.key, b.key) })
	} else {
		// Insertion sort: resources are made of small objects.
		for i := 1; i < len(ms); i++ {
			for j := i; j > 0 && ms[j].key < ms[j-1].key; j-- {
				ms[j], ms[j-1] = ms[j-1], ms[j]
			}
		}
	}
	e.members[depth] = ms
	return ms
}

// openMember writes what comes before member i's value: '{' or the
// separator, then the member's key.
func (e *encoder) openMember(i int, k string, depth int) {
	e.separate(i)
	e.memberKey(k, depth)
}

// separate writes '{' before member 0 of an object and ',' before the
// others.
func (e *encoder) separate(i int) {
	if i == 0 {
		e.buf = append(e.buf, '{')
		return
	}
	e.buf = append(e.buf, ',')
	e.maybeFlush()
}

// memberKey writes the indentation and `"k": ` of a member.
func (e *encoder) memberKey(k string, depth int) {
	e.newline(depth + 1)
	e.str(k)
	e.colon()
}

// colon writes what follows a member's key: `: `, `:` or, marked, a '\n'.
func (e *encoder) colon() {
	switch {
	case e.pretty:
		e.buf = append(e.buf, ": "...)
	case e.marked:
		e.buf = append(e.buf, '\n')
	default:
		e.buf = append(e.buf, ':')
	}
}

func (e *encoder) closeObject(depth, n int) {
	if n == 0 {
		e.buf = append(e.buf, "{}"...)
		return
	}
	e.newline(depth)
	e.buf = append(e.buf, '}')
	// Do not let the scratch slices pin the map's keys and values.
	if depth < len(e.keys) {
		clear(e.keys[depth])
	}
	if depth < len(e.members) {
		clear(e.members[depth])
	}
}

// element writes '[' before the first element, or the separator, and the
// indentation before element i of n; the array began at offset start.
func (e *encoder) element(i, depth, start, n int) {
	if i == 0 {
		e.buf = append(e.buf, '[')
	} else {
		e.buf = append(e.buf, ',')
		e.maybeFlush()
		e.reserve(i, start, n)
	}
	e.newline(depth + 1)
}

// reserveSlack is how close to full the buffer may get inside a long array
// before reserve extrapolates the rest of the array.
const reserveSlack = 4096

// reserve grows the buffer, when it is nearly full, to what the remaining
// n-i elements need at the average size of the i written so far (plus a
// sixteenth). A collection of 10,000 sessions is tens of megabytes; growing
// it by doubling allocated and copied twice the output, and page-faulting
// fresh memory dominated the profile.
// A streaming encoder never reserves: its buffer is flushed instead.
func (e *encoder) reserve(i, start, n int) {
	if e.w != nil || cap(e.buf)-len(e.buf) >= reserveSlack {
		return
	}
	per := (len(e.buf) - start) / i
	need := per*(n-i) + per*(n-i)/16 + reserveSlack
	e.grow(need)
}

func (e *encoder) closeArray(depth, n int) {
	if n == 0 {
		e.buf = append(e.buf, "[]"...)
		return
	}
	e.newline(depth)
	e.buf = append(e.buf, ']')
}

const hexDigits = "0123456789ABCDEF"

// str writes s as a JSON string with jansson's escaping rules.
func (e *encoder) str(s string) {
	b := append(e.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...)
			e.lossy = true
			i++
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, `\"`...)
		case '\\':
			b = append(b, `\\`...)
		case '\b':
			b = append(b, `\b`...)
		case '\f':
			b = append(b, `\f`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		default:
			b = append(b, `\u00`...)
			b = append(b, hexDigits[c>>4], hexDigits[c&0xF])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	e.buf = append(b, '"')
}
