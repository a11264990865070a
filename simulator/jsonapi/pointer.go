package jsonapi

import (
	"math"
	"strconv"
	"strings"
)

// jsonPointer resolves MaxScale's JSON pointer (maxbase json_ptr) in v:
// components are separated by '/', runs of '/' count as one and a leading
// '/' is optional; there is no ~0/~1 unescaping; a component indexes an
// array when strtol reads all of it as a non-negative number. An empty
// pointer resolves to v itself.
func jsonPointer(v any, ptr string) (any, bool) {
	for {
		ptr = strings.TrimLeft(ptr, "/")
		if ptr == "" {
			return v, true
		}
		comp := ptr
		if i := strings.IndexByte(ptr, '/'); i >= 0 {
			comp, ptr = ptr[:i], ptr[i:]
		} else {
			ptr = ""
		}
		if r, ok := v.(raw); ok && r[0] == '[' {
			idx, isIndex := pointerIndex(comp)
			if !isIndex {
				return nil, false
			}
			var found raw
			r.elements(func(el raw) bool {
				if idx == 0 {
					found = el
				}
				idx--
				return found != nil
			})
			if found == nil {
				return nil, false
			}
			v = found
			continue
		}
		if arr, ok := asArray(v); ok {
			idx, isIndex := pointerIndex(comp)
			if !isIndex || idx >= int64(len(arr)) {
				return nil, false
			}
			v = arr[idx]
			continue
		}
		child, _, found := memberOf(v, comp)
		if !found {
			return nil, false
		}
		v = child
	}
}

// pointerIndex is maxbase's is_integer: strtol must consume the whole
// component and return a value >= 0.
func pointerIndex(comp string) (int64, bool) {
	n, used := strtol(comp)
	return n, used == len(comp) && n >= 0
}

// strtol mimics C's strtol(s, &end, 10): leading white space, an optional
// sign, then digits; it returns the value (clamped to the int64 range on
// overflow) and how many bytes were consumed (0 when there are no digits).
func strtol(s string) (int64, int) {
	i := 0
	for i < len(s) && strings.IndexByte(" \t\n\v\f\r", s[i]) >= 0 {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var n uint64
	overflow := false
	for i < len(s) && isDigit(s[i]) {
		if n > (math.MaxUint64-9)/10 {
			overflow = true
		} else {
			n = n*10 + uint64(s[i]-'0')
		}
		i++
	}
	if i == start {
		return 0, 0
	}
	switch {
	case neg && (overflow || n > math.MaxInt64+1):
		return math.MinInt64, i
	case neg:
		return -int64(n), i
	case overflow || n > math.MaxInt64:
		return math.MaxInt64, i
	}
	return int64(n), i
}

// jsonPath calls visit for every node that MaxScale's JSONPath subset
// (maxbase json_path) selects in v; visit returns true to stop early.
//
// The subset: an optional leading `$`, `.key` or `key`, `['key']`, `[n]`,
// `[n,m]`, `[*]` and `.*`. github.com/theory/jsonpath implements RFC 9535,
// which differs in ways that change results: it requires `$`, rejects
// `attributes.user` without it, reads `[1abc]` as an error where MaxScale
// uses the leading digits, and quotes keys differently; so the subset is
// implemented here, following MaxScale's rules exactly.
func jsonPath(v any, path string, visit func(any) bool) {
	if path == "" {
		return
	}
	path = strings.TrimPrefix(path, "$")
	walkPath(v, path, visit)
}

func walkPath(v any, path string, visit func(any) bool) bool {
	if path == "" {
		return visit(v)
	}
	if path[0] == '[' {
		key, rest, ok := strings.Cut(path[1:], "]")
		if !ok {
			return false
		}
		if key == "*" {
			return walkChildren(v, rest, visit)
		}
		return walkBracket(v, key, rest, visit)
	}
	if path[0] == '.' {
		path = path[1:]
		if path == "" {
			return false
		}
	}
	end := strings.IndexAny(path, ".[")
	if end < 0 {
		end = len(path)
	}
	key, rest := path[:end], path[end:]
	if key == "*" {
		return walkChildren(v, rest, visit)
	}
	if child, _, found := memberOf(v, key); found {
		return walkPath(child, rest, visit)
	}
	return false
}

// walkBracket handles `[n]`, `[n,m]` and `['key']`. Like MaxScale, each
// comma-separated item is an array index when it starts with digits
// (std::from_chars); otherwise, on an object, the whole bracket content is
// used as a key once its surrounding quotes are stripped, and the
// stripping carries over to the following items.
func walkBracket(v any, key, rest string, visit func(any) bool) bool {
	v = plain(v) // decoded once for both readings below
	arr, isArr := asArray(v)
	obj, isObj := AsObject(v)
	for item := range strings.SplitSeq(key, ",") {
		if item == "" {
			continue
		}
		if i, ok := leadingUint(item); ok && isArr && i < uint64(len(arr)) {
			if walkPath(arr[i], rest, visit) {
				return true
			}
		} else if isObj && len(key) > 2 && key[0] == '\'' && key[len(key)-1] == '\'' {
			key = key[1 : len(key)-1]
			if child, ok := obj[key]; ok && walkPath(child, rest, visit) {
				return true
			}
		}
	}
	return false
}

func walkChildren(v any, rest string, visit func(any) bool) bool {
	if r, ok := v.(raw); ok && r[0] == '[' {
		return r.elements(func(el raw) bool { return walkPath(el, rest, visit) })
	}
	if arr, ok := asArray(v); ok {
		for _, el := range arr {
			if walkPath(el, rest, visit) {
				return true
			}
		}
	} else if obj, ok := AsObject(v); ok {
		for _, el := range obj {
			if walkPath(el, rest, visit) {
				return true
			}
		}
	}
	return false
}

// leadingUint is std::from_chars for uint64: the leading decimal digits,
// failing when there are none or the value overflows.
func leadingUint(s string) (uint64, bool) {
	end := 0
	for end < len(s) && isDigit(s[end]) {
		end++
	}
	if end == 0 {
		return 0, false
	}
	n, err := strconv.ParseUint(s[:end], 10, 64)
	return n, err == nil
}
