package simulator

import (
	"strings"
	"unicode/utf8"
)

// janssonCheck reports whether body is a JSON document MaxScale accepts
// (jansson's json_loadb without JSON_DECODE_ANY: the top level must be an
// object or an array) and, if not, jansson's error text, e.g.
// `'[' or '{' expected near 'null'` (transcripts 114-116, 161). It checks
// syntax only; the caller decodes an accepted body with jsonapi.Decode.
func janssonCheck(body []byte) (msg string, ok bool) {
	p := &jparser{src: string(body), bad: firstInvalidUTF8(body)}
	p.next()
	if p.tok != '[' && p.tok != '{' {
		return p.fail("'[' or '{' expected"), false
	}
	if !p.value() {
		return p.err, false
	}
	p.next()
	if p.tok != tokEOF {
		return p.fail("end of file expected"), false
	}
	return "", true
}

// Token kinds besides the single-character ones ('{', '[', ':', ',' ...).
const (
	tokEOF     = -1
	tokInvalid = -2
	tokString  = -3
	tokNumber  = -4
	tokWord    = -5 // true, false, null
)

type jparser struct {
	src   string
	pos   int
	tok   int
	saved string // the token's text, as jansson saves it for messages
	err   string
	// bad is the offset of the first byte that does not start a valid
	// UTF-8 sequence, or -1. jansson decodes UTF-8 as it reads (stream_get),
	// so reading that byte, even as a lookahead, is the error.
	bad int
}

// firstInvalidUTF8 returns the offset of the first byte of b that does not
// start a valid UTF-8 sequence (overlong forms, surrogates and code points
// above U+10FFFF included, as jansson's utf8_check_full), or -1.
func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// reads reports whether the lexer may read the byte at i; at the invalid
// one it records jansson's error (with the token's text so far as its
// context) and ends the token.
func (p *jparser) reads(i, tokenStart int) bool {
	if i != p.bad {
		return true
	}
	p.tok, p.saved = tokInvalid, p.src[tokenStart:i]
	p.failAt("unable to decode byte 0x"+hex2(p.src[i]), "") // no context without a token
	return false
}

// fail builds jansson's message: the text, then `near '<token>'` or `near
// end of file`.
func (p *jparser) fail(text string) string { return p.failAt(text, " near end of file") }

// failAt is jansson's error_set: the first error wins; the context is the
// saved token when it has at most 20 bytes, nothing when it is longer, and
// noToken when there is none.
func (p *jparser) failAt(text, noToken string) string {
	switch {
	case p.err != "":
		return p.err
	case p.saved == "":
		p.err = text + noToken
	case len(p.saved) <= 20:
		p.err = text + " near '" + p.saved + "'"
	default:
		p.err = text
	}
	return p.err
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// next lexes one token, like jansson's lex_scan.
func (p *jparser) next() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\n\r", p.src[p.pos]) >= 0 {
		p.pos++
	}
	start := p.pos
	if p.pos >= len(p.src) {
		p.tok, p.saved = tokEOF, ""
		return
	}
	if !p.reads(p.pos, start) {
		return
	}
	c := p.src[p.pos]
	p.pos++
	switch {
	case strings.IndexByte("{}[]:,", c) >= 0:
		p.tok = int(c)
	case c == '"':
		p.tok = tokString
		for p.pos < len(p.src) {
			if !p.reads(p.pos, start) {
				return
			}
			ch := p.src[p.pos]
			p.pos++
			if ch == '\\' && p.pos < len(p.src) {
				if !p.reads(p.pos, start) {
					return
				}
				p.pos++
				continue
			}
			if ch == '"' {
				p.saved = p.src[start:p.pos]
				return
			}
			if ch < 0x20 {
				p.saved = p.src[start:p.pos]
				p.tok = tokInvalid
				p.fail("control character 0x" + hex2(ch))
				return
			}
		}
		p.tok, p.saved = tokInvalid, p.src[start:p.pos]
		p.fail("premature end of input")
		return
	case c == '-' || isDigit(c):
		for p.pos < len(p.src) && (isDigit(p.src[p.pos]) || strings.IndexByte(".eE+-", p.src[p.pos]) >= 0) {
			p.pos++
		}
		if !p.reads(p.pos, start) { // the lookahead that ends the number
			return
		}
		p.tok = tokNumber
	case isAlpha(c):
		for p.pos < len(p.src) && isAlpha(p.src[p.pos]) {
			p.pos++
		}
		if !p.reads(p.pos, start) {
			return
		}
		switch p.src[start:p.pos] {
		case "true", "false", "null":
			p.tok = tokWord
		default:
			p.tok = tokInvalid
		}
	default:
		if c >= utf8.RuneSelf { // a whole (valid) UTF-8 character
			_, size := utf8.DecodeRuneInString(p.src[start:])
			p.pos = start + size
		}
		p.tok = tokInvalid
	}
	p.saved = p.src[start:p.pos]
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&15]})
}

// value parses the value starting at the current token.
func (p *jparser) value() bool {
	switch p.tok {
	case tokString, tokNumber, tokWord:
		return true
	case '{':
		return p.object()
	case '[':
		return p.array()
	case tokInvalid:
		p.fail("invalid token")
	default:
		p.fail("unexpected token")
	}
	return false
}

func (p *jparser) object() bool {
	p.next()
	if p.tok == '}' {
		return true
	}
	for {
		if p.tok != tokString {
			p.fail("string or '}' expected")
			return false
		}
		p.next()
		if p.tok != ':' {
			p.fail("':' expected")
			return false
		}
		p.next()
		if !p.value() {
			return false
		}
		p.next()
		if p.tok == '}' {
			return true
		}
		if p.tok != ',' {
			p.fail("'}' expected")
			return false
		}
		p.next()
	}
}

func (p *jparser) array() bool {
	p.next()
	if p.tok == ']' {
		return true
	}
	for {
		if !p.value() {
			return false
		}
		p.next()
		if p.tok == ']' {
			return true
		}
		if p.tok != ',' {
			p.fail("']' expected")
			return false
		}
		p.next()
	}
}
