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
// first, which is slow but keeps Marshal total.
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

const indentUnit = "    "

func (e *encoder) newline(depth int) {
	if !e.pretty {
		return
	}
	e.buf.WriteByte('\n')
	for range depth {
		e.buf.WriteString(indentUnit)
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
		e.object(depth, len(x), func(yield func(string) bool) {
			for k := range x {
				if !yield(k) {
					return
				}
			}
		}, func(k string) { e.value(x[k], depth+1) })
	case map[string]string:
		e.object(depth, len(x), func(yield func(string) bool) {
			for k := range x {
				if !yield(k) {
					return
				}
			}
		}, func(k string) { e.str(x[k]) })
	case map[string]int64:
		e.object(depth, len(x), func(yield func(string) bool) {
			for k := range x {
				if !yield(k) {
					return
				}
			}
		}, func(k string) { e.int(x[k]) })
	case []any:
		e.array(depth, len(x), func(i int) { e.value(x[i], depth+1) })
	case []map[string]any:
		e.array(depth, len(x), func(i int) { e.value(x[i], depth+1) })
	case []string:
		e.array(depth, len(x), func(i int) { e.str(x[i]) })
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

func (e *encoder) object(depth, n int, keys func(yield func(string) bool), writeValue func(string)) {
	if n == 0 {
		e.buf.WriteString("{}")
		return
	}
	for len(e.keys) <= depth {
		e.keys = append(e.keys, nil)
	}
	sorted := e.keys[depth][:0]
	for k := range keys {
		sorted = append(sorted, k)
	}
	slices.Sort(sorted)
	e.keys[depth] = sorted
	e.buf.WriteByte('{')
	for i, k := range sorted {
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
		writeValue(k)
	}
	e.newline(depth)
	e.buf.WriteByte('}')
	// Nested objects reuse deeper scratch slices only, so sorted is intact
	// until here; clear the strings so the scratch does not pin them.
	clear(sorted)
}

func (e *encoder) array(depth, n int, writeElem func(int)) {
	if n == 0 {
		e.buf.WriteString("[]")
		return
	}
	e.buf.WriteByte('[')
	for i := range n {
		if i > 0 {
			e.buf.WriteByte(',')
		}
		e.newline(depth + 1)
		writeElem(i)
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
