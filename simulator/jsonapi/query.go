package jsonapi

import (
	"strings"
)

// Query holds a request's query parameters the way MaxScale stores them
// (hreq.hh): keys are lower-cased (ASCII) after percent-decoding, values are
// percent-decoded with their case kept, a key without `=` has the value "",
// and when a key repeats the first occurrence wins. Keys() keeps the order
// of first appearance.
type Query struct {
	values map[string]string
	keys   []string
}

// ParseQuery parses a raw query string (without the leading `?`). `+`
// decodes to a space and `%XX` to its byte, as libmicrohttpd does; a `%`
// not followed by two hex digits is kept literally. Empty segments (`a&&b`)
// are skipped.
func ParseQuery(rawQuery string) Query {
	q := Query{values: map[string]string{}}
	for part := range strings.SplitSeq(rawQuery, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key := asciiLower(unescape(k))
		if _, dup := q.values[key]; dup {
			continue
		}
		q.values[key] = unescape(v)
		q.keys = append(q.keys, key)
	}
	return q
}

// Get returns the value of a (lower-case) key and whether it was present.
func (q Query) Get(key string) (string, bool) {
	v, ok := q.values[key]
	return v, ok
}

// Keys returns the parameter keys in order of first appearance.
func (q Query) Keys() []string { return q.keys }

// Truthy is MaxScale's config_truth_value: `true|on|yes|1` are true,
// `false|off|no|0` are false (case-insensitive); anything else is neither
// (ok == false).
func Truthy(v string) (value, ok bool) {
	switch asciiLower(v) {
	case "true", "on", "yes", "1":
		return true, true
	case "false", "off", "no", "0":
		return false, true
	}
	return false, false
}

// Pretty reports whether the body is indented: only a falsy `pretty`
// value selects compact output; absent, empty or unrecognised values
// (`pretty=banana`) keep the default, indented.
func Pretty(q Query) bool {
	v, _ := q.Get("pretty")
	val, ok := Truthy(v)
	return !ok || val
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
