package jsonapi

import (
	"bytes"
	"slices"
	"strconv"
)

// The query language (fields, filter, JSON pointers and paths) reads a few
// members of every row. Reading a Frozen row as the object it stands for
// built the whole object, for 10,000 rows on every request; the functions
// here read one member of a Frozen or an Overlay from its kept encoding
// instead, as a raw encoding that is itself read lazily, and only turn what
// a filter compares into a value.

// raw is the marked encoding of a JSON value (encoder.unmark), cut from a
// Frozen's kept member encodings or kept by selectKept. It is exact:
// members whose encoding does not give the value back (invalid UTF-8,
// NaN, integers above MaxInt64, values converted through encoding/json)
// are never read as raw (see memberEncodings.lossy). Marshal writes it in
// either format; AsObject and asArray decode it.
type raw []byte

// memberOf returns the member key of v when v is an object (isObj), and
// whether it has one. A Frozen or an Overlay is read from its kept
// encodings, a raw object by scanning it; nothing is built.
func memberOf(v any, key string) (child any, isObj, found bool) {
	switch x := v.(type) {
	case *Frozen:
		child, found = x.member(key)
		return child, true, found
	case *Overlay:
		child, found = x.member(key)
		return child, true, found
	case raw:
		if len(x) == 0 || x[0] != '{' {
			return nil, false, false
		}
		child, found = x.member(key)
		return child, true, found
	}
	obj, ok := AsObject(v)
	if !ok {
		return nil, false, false
	}
	child, found = obj[key]
	return child, true, found
}

// member reads the frozen object's member key from its kept encoding; a
// lossy member is read from the object built afresh.
func (f *Frozen) member(key string) (any, bool) {
	m := f.markedMembers()
	i, found := slices.BinarySearch(m.keys, key)
	if !found {
		return nil, false
	}
	if m.isLossy(i) {
		v, ok := f.build()[key]
		return v, ok
	}
	enc := m.member(i)
	return raw(enc[valueStart(enc, key):]), true
}

// valueStart is where the value begins in a member encoding of key:
// after `"key"` and the colon's marker, which is len(key)+3 bytes unless
// the key was escaped.
func valueStart(enc []byte, key string) int {
	if n := len(key) + 3; n < len(enc) && enc[n-1] == '\n' && enc[n-2] == '"' && string(enc[1:n-2]) == key {
		return n
	}
	return stringEnd(enc, 0) + 1
}

// member reads the overlay's member key: a fresh one, else the frozen one
// unless it is left out.
func (o *Overlay) member(key string) (any, bool) {
	if v, ok := o.Fresh(key); ok {
		return v, true
	}
	if !o.shows(key) {
		return nil, false
	}
	return o.base.member(key)
}

// project returns o showing only the members of the given keys, and
// whether any of them is there; nothing is read but o's member keys.
func (o *Overlay) project(keys []string) (*Overlay, bool) {
	p := &Overlay{base: o.base, omit: o.omit, keep: keys}
	if o.keep != nil {
		p.keep = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return !slices.Contains(o.keep, k) })
	}
	found := false
	for _, m := range o.fresh {
		if slices.Contains(keys, m.Key) {
			p.fresh = append(p.fresh, m)
			found = true
		}
	}
	frozen := o.base.markedMembers()
	for _, k := range p.keep {
		if _, ok := slices.BinarySearch(frozen.keys, k); ok && p.shows(k) {
			found = true
			break
		}
	}
	return p, found
}

// member finds key among the members of the raw object r.
func (r raw) member(key string) (raw, bool) {
	for i := r.next(1); r[i] != '}'; {
		keyEnd := stringEnd(r, i)
		k := r[i+1 : keyEnd-1]
		valueStart := keyEnd + 1 // after the colon's marker
		valueEnd := valueEnd(r, valueStart)
		if rawKeyIs(k, key) {
			return r[valueStart:valueEnd], true
		}
		i = r.next(valueEnd)
	}
	return nil, false
}

// next returns the index of the element or member of a raw array or
// object that follows the one ending at i (or of its closing bracket),
// past the separator and the line break's marker.
func (r raw) next(i int) int {
	if r[i] == ',' {
		i++
	}
	if r[i] == '\n' {
		i++
	}
	return i
}

// rawKeyIs compares an encoded key (without its quotes) with key.
func rawKeyIs(encoded []byte, key string) bool {
	if bytes.IndexByte(encoded, '\\') < 0 {
		return string(encoded) == key
	}
	s, ok := unquoteRaw(raw(append(append([]byte{'"'}, encoded...), '"')))
	return ok && s == key
}

// elements calls fn with each element of the raw array r, in order, until
// fn returns true; it reports whether fn did.
func (r raw) elements(fn func(raw) bool) bool {
	for i := r.next(1); r[i] != ']'; {
		end := valueEnd(r, i)
		if fn(r[i:end]) {
			return true
		}
		i = r.next(end)
	}
	return false
}

// valueEnd returns the index after the marked JSON value that starts at
// start.
func valueEnd(b []byte, start int) int {
	switch b[start] {
	case '"':
		return stringEnd(b, start)
	case '{', '[':
		depth := 0
		for i := start; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = stringEnd(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	i := start
	for i < len(b) && !endsScalar(b[i]) {
		i++
	}
	return i
}

// endsScalar reports whether c, outside a string, is the first byte after
// a number, true, false or null: a separator, a closing bracket or the
// line break's marker before one.
func endsScalar(c byte) bool {
	return c == ',' || c == '}' || c == ']' || c == '\n'
}

// plain turns a raw encoding into the value it encodes; any other value
// is returned as it is. A filter compares plain values only.
func plain(v any) any {
	r, ok := v.(raw)
	if !ok {
		return v
	}
	switch c := r[0]; {
	case c == '"':
		if s, ok := unquoteRaw(r); ok {
			return s
		}
	case c == 't':
		return true
	case c == 'f':
		return false
	case c == 'n':
		return nil
	case c == '-' || isDigit(c):
		if bytes.ContainsAny(r, ".eE") {
			if f, err := strconv.ParseFloat(string(r), 64); err == nil {
				return f
			}
		} else if i, err := strconv.ParseInt(string(r), 10, 64); err == nil {
			return i
		}
	}
	tree, err := Decode(Marshal(r, false))
	if err != nil {
		return nil // not reached: an exact encoding is valid JSON within int64
	}
	return tree
}

// unquoteRaw decodes a JSON string as the encoder writes it; ok is false
// for an escape the encoder never writes.
func unquoteRaw(r raw) (string, bool) {
	body := r[1 : len(r)-1]
	if bytes.IndexByte(body, '\\') < 0 {
		return string(body), true
	}
	out := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		switch body[i] {
		case '"', '\\', '/':
			out = append(out, body[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if i+4 >= len(body) {
				return "", false
			}
			n, err := strconv.ParseUint(string(body[i+1:i+5]), 16, 16)
			if err != nil || n >= 0x80 {
				return "", false // the encoder escapes control characters only
			}
			out = append(out, byte(n))
			i += 4
		default:
			return "", false
		}
	}
	return string(out), true
}
