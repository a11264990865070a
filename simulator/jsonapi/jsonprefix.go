package jsonapi

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxJSONDepth is jansson's JSON_PARSER_MAX_DEPTH.
const maxJSONDepth = 2048

// parseJSONPrefix reads one JSON value from the start of s the way
// MaxScale's filter parser calls jansson (json_loadb with JSON_DECODE_ANY |
// JSON_DISABLE_EOF_CHECK): leading whitespace is skipped, the value must be
// valid by jansson's rules (no leading zeros, no NUL in strings, no lone
// surrogates, integers within int64, no real overflow), and nothing after
// the value is consumed. It returns the value, the number of bytes
// consumed and whether a value was found. encoding/json is not used here
// because it cannot report where a value ends inside a longer string and
// accepts inputs jansson rejects.
func parseJSONPrefix(s string) (any, int, bool) {
	p := jsonPrefixParser{s: s}
	v, ok := p.value(0)
	if !ok {
		return nil, 0, false
	}
	return v, p.pos, true
}

type jsonPrefixParser struct {
	s   string
	pos int
}

func (p *jsonPrefixParser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonPrefixParser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

func (p *jsonPrefixParser) value(depth int) (any, bool) {
	if depth > maxJSONDepth {
		return nil, false
	}
	p.skipSpace()
	c := p.peek()
	switch {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		return p.str()
	case c == '-' || isDigit(c):
		return p.number()
	case isAlpha(c):
		start := p.pos
		for p.pos < len(p.s) && isAlpha(p.s[p.pos]) {
			p.pos++
		}
		switch p.s[start:p.pos] {
		case "true":
			return true, true
		case "false":
			return false, true
		case "null":
			return nil, true
		}
	}
	return nil, false
}

func (p *jsonPrefixParser) object(depth int) (any, bool) {
	p.pos++ // {
	obj := map[string]any{}
	p.skipSpace()
	if p.peek() == '}' {
		p.pos++
		return obj, true
	}
	for {
		p.skipSpace()
		if p.peek() != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok || strings.IndexByte(k.(string), 0) >= 0 {
			return nil, false
		}
		p.skipSpace()
		if p.peek() != ':' {
			return nil, false
		}
		p.pos++
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		obj[k.(string)] = v
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return obj, true
		default:
			return nil, false
		}
	}
}

func (p *jsonPrefixParser) array(depth int) (any, bool) {
	p.pos++ // [
	arr := []any{}
	p.skipSpace()
	if p.peek() == ']' {
		p.pos++
		return arr, true
	}
	for {
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		arr = append(arr, v)
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return arr, true
		default:
			return nil, false
		}
	}
}

func (p *jsonPrefixParser) str() (any, bool) {
	p.pos++ // opening quote
	var b strings.Builder
	for {
		if p.pos >= len(p.s) {
			return nil, false
		}
		c := p.s[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), true
		case c < 0x20:
			return nil, false
		case c == '\\':
			if !p.escape(&b) {
				return nil, false
			}
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(p.s[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return nil, false
			}
			b.WriteString(p.s[p.pos : p.pos+size])
			p.pos += size
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
}

func (p *jsonPrefixParser) escape(b *strings.Builder) bool {
	p.pos++ // backslash
	if p.pos >= len(p.s) {
		return false
	}
	c := p.s[p.pos]
	p.pos++
	switch c {
	case '"', '\\', '/':
		b.WriteByte(c)
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'u':
		r, ok := p.hex4()
		if !ok || r == 0 {
			return false
		}
		switch {
		case 0xD800 <= r && r <= 0xDBFF:
			if !strings.HasPrefix(p.s[p.pos:], `\u`) {
				return false
			}
			p.pos += 2
			low, ok := p.hex4()
			if !ok || low < 0xDC00 || low > 0xDFFF {
				return false
			}
			r = 0x10000 + (r-0xD800)<<10 + (low - 0xDC00)
		case 0xDC00 <= r && r <= 0xDFFF:
			return false
		}
		b.WriteRune(r)
	default:
		return false
	}
	return true
}

func (p *jsonPrefixParser) hex4() (rune, bool) {
	if p.pos+4 > len(p.s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(p.s[p.pos : p.pos+4]) {
		if !isHex(c) {
			return 0, false
		}
		r = r<<4 | rune(unhex(c))
	}
	p.pos += 4
	return r, true
}

func (p *jsonPrefixParser) number() (any, bool) {
	start := p.pos
	if p.peek() == '-' {
		p.pos++
	}
	switch c := p.peek(); {
	case c == '0':
		p.pos++
		if isDigit(p.peek()) {
			return nil, false
		}
	case isDigit(c):
		p.skipDigits()
	default:
		return nil, false
	}
	real := false
	if p.peek() == '.' {
		real = true
		p.pos++
		if !isDigit(p.peek()) {
			return nil, false
		}
		p.skipDigits()
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		real = true
		p.pos++
		if c := p.peek(); c == '+' || c == '-' {
			p.pos++
		}
		if !isDigit(p.peek()) {
			return nil, false
		}
		p.skipDigits()
	}
	text := p.s[start:p.pos]
	if !real {
		i, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, false
		}
		return i, true
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && math.IsInf(f, 0) {
		return nil, false
	}
	return f, true
}

func (p *jsonPrefixParser) skipDigits() {
	for isDigit(p.peek()) {
		p.pos++
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isAlpha is C's isalpha in the "C" locale.
func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
