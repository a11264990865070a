package jsonapi

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
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
	e := encoder{pretty: pretty}
	e.buf.Grow(256)
	e.value(v, 0)
	return e.buf.Bytes()
}

// AppendMarshal is Marshal writing into an existing buffer, for callers that
// reuse buffers.
func AppendMarshal(buf *bytes.Buffer, v any, pretty bool) {
	e := encoder{pretty: pretty}
	e.buf = *buf
	e.value(v, 0)
	*buf = e.buf
}

type encoder struct {
	buf    bytes.Buffer
	pretty bool
	// keys is a stack of scratch slices, one per object depth, reused so
	// that sorting keys does not allocate for every object.
	keys [][]string
}

// spaces holds the indentation of 16 levels, written in one call.
const spaces = "                                                                "

func (e *encoder) newline(depth int) {
	if !e.pretty {
		return
	}
	e.buf.WriteByte('\n')
	for n := 4 * depth; n > 0; {
		k := min(n, len(spaces))
		e.buf.WriteString(spaces[:k])
		n -= k
	}
}

func (e *encoder) value(v any, depth int) {
	switch x := v.(type) {
	case nil:
		e.buf.WriteString("null")
	case string:
		e.str(x)
	case bool:
		if x {
			e.buf.WriteString("true")
		} else {
			e.buf.WriteString("false")
		}
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
		e.buf.Write(strconv.AppendUint(e.buf.AvailableBuffer(), x, 10))
	case uint:
		e.buf.Write(strconv.AppendUint(e.buf.AvailableBuffer(), uint64(x), 10))
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
	case map[string]any:
		for i, k := range e.openObject(depth, sortedKeys(e, depth, x)) {
			e.key(i, k, depth)
			e.value(x[k], depth+1)
		}
		e.closeObject(depth, len(x))
	case map[string]string:
		for i, k := range e.openObject(depth, sortedKeys(e, depth, x)) {
			e.key(i, k, depth)
			e.str(x[k])
		}
		e.closeObject(depth, len(x))
	case map[string]int64:
		for i, k := range e.openObject(depth, sortedKeys(e, depth, x)) {
			e.key(i, k, depth)
			e.int(x[k])
		}
		e.closeObject(depth, len(x))
	case []any:
		for i, el := range x {
			e.element(i, depth)
			e.value(el, depth+1)
		}
		e.closeArray(depth, len(x))
	case []map[string]any:
		for i, el := range x {
			e.element(i, depth)
			e.value(el, depth+1)
		}
		e.closeArray(depth, len(x))
	case []string:
		for i, el := range x {
			e.element(i, depth)
			e.str(el)
		}
		e.closeArray(depth, len(x))
	case json.Number:
		e.number(x)
	default:
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
	e.buf.WriteString("null")
}

func (e *encoder) int(v int64) {
	e.buf.Write(strconv.AppendInt(e.buf.AvailableBuffer(), v, 10))
}

func (e *encoder) real(f float64) {
	e.buf.Write(AppendReal(e.buf.AvailableBuffer(), f))
}

// AppendReal appends f formatted like jansson's jsonp_dtostr with the
// default precision of 17 significant digits.
func AppendReal(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'g', 17, 64)
	num := dst[start:]
	ePos := bytes.IndexByte(num, 'e')
	if ePos < 0 {
		if bytes.IndexByte(num, '.') < 0 {
			dst = append(dst, ".0"...)
		}
		return dst
	}
	// Exponent: drop '+' and leading zeros, keep '-'.
	exp := num[ePos+1:]
	sign := ""
	switch exp[0] {
	case '-':
		sign = "-"
		exp = exp[1:]
	case '+':
		exp = exp[1:]
	}
	exp = bytes.TrimLeft(exp, "0")
	var tail [8]byte
	t := append(append(tail[:0], sign...), exp...)
	dst = append(dst[:start+ePos+1], t...)
	return dst
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

// openObject writes '{' for a non-empty object and returns its keys.
func (e *encoder) openObject(depth int, keys []string) []string {
	if len(keys) > 0 {
		e.buf.WriteByte('{')
	}
	return keys
}

// key writes the separator, indentation and `"k": ` before member i.
func (e *encoder) key(i int, k string, depth int) {
	if i > 0 {
		e.buf.WriteByte(',')
	}
	e.newline(depth + 1)
	e.str(k)
	if e.pretty {
		e.buf.WriteString(": ")
	} else {
		e.buf.WriteByte(':')
	}
}

func (e *encoder) closeObject(depth, n int) {
	if n == 0 {
		e.buf.WriteString("{}")
		return
	}
	e.newline(depth)
	e.buf.WriteByte('}')
	// Do not let the scratch slice pin the map's key strings.
	clear(e.keys[depth])
}

// element writes '[' before the first element, or the separator, and the
// indentation before element i.
func (e *encoder) element(i, depth int) {
	if i == 0 {
		e.buf.WriteByte('[')
	} else {
		e.buf.WriteByte(',')
	}
	e.newline(depth + 1)
}

func (e *encoder) closeArray(depth, n int) {
	if n == 0 {
		e.buf.WriteString("[]")
		return
	}
	e.newline(depth)
	e.buf.WriteByte(']')
}

const hexDigits = "0123456789ABCDEF"

// str writes s as a JSON string with jansson's escaping rules.
func (e *encoder) str(s string) {
	e.buf.WriteByte('"')
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
			e.buf.WriteString(s[start:i])
			e.buf.WriteString("\uFFFD")
			i++
			start = i
			continue
		}
		e.buf.WriteString(s[start:i])
		switch c {
		case '"':
			e.buf.WriteString(`\"`)
		case '\\':
			e.buf.WriteString(`\\`)
		case '\b':
			e.buf.WriteString(`\b`)
		case '\f':
			e.buf.WriteString(`\f`)
		case '\n':
			e.buf.WriteString(`\n`)
		case '\r':
			e.buf.WriteString(`\r`)
		case '\t':
			e.buf.WriteString(`\t`)
		default:
			e.buf.WriteString(`\u00`)
			e.buf.WriteByte(hexDigits[c>>4])
			e.buf.WriteByte(hexDigits[c&0xF])
		}
		i++
		start = i
	}
	e.buf.WriteString(s[start:])
	e.buf.WriteByte('"')
}
