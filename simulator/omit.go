package simulator

import (
	"slices"
	"strings"

	"github.com/go-openapi/jsonpointer"
)

// omission is what a profile leaves out of every session resource: the
// properties the contract records as absent from MaxScale's documents
// (x-observed absent), as JSON pointers into the resource, such as
// /attributes/seconds_alive. A nil omission leaves nothing out.
type omission struct {
	ptrs [][]string // each pointer's tokens, unescaped
}

// with returns o with the pointers added (o itself is not changed).
func (o *omission) with(ptrs ...string) *omission {
	if len(ptrs) == 0 {
		return o
	}
	n := &omission{}
	if o != nil {
		n.ptrs = slices.Clone(o.ptrs)
	}
	for _, p := range ptrs {
		toks := strings.Split(strings.TrimPrefix(p, "/"), "/")
		for i, t := range toks {
			toks[i] = jsonpointer.Unescape(t)
		}
		if !slices.ContainsFunc(n.ptrs, func(q []string) bool { return slices.Equal(q, toks) }) {
			n.ptrs = append(n.ptrs, toks)
		}
	}
	return n
}

// leaves reports whether the member key of the object at the pointer
// under (tokens) is left out.
func (o *omission) leaves(under []string, key string) bool {
	if o == nil {
		return false
	}
	return slices.ContainsFunc(o.ptrs, func(p []string) bool {
		return len(p) == len(under)+1 && slices.Equal(p[:len(under)], under) && p[len(under)] == key
	})
}

// apply deletes the left-out members below obj, the object at the pointer
// under (tokens), walking objects and, for "*", every element of an array.
func (o *omission) apply(obj map[string]any, under ...string) {
	if o == nil {
		return
	}
	for _, p := range o.ptrs {
		if len(p) > len(under) && slices.Equal(p[:len(under)], under) {
			remove(obj, p[len(under):])
		}
	}
}

func remove(v any, toks []string) {
	switch t := v.(type) {
	case map[string]any:
		if len(toks) == 1 {
			delete(t, toks[0])
			return
		}
		remove(t[toks[0]], toks[1:])
	case []any:
		if toks[0] != "*" {
			return
		}
		for _, e := range t {
			if len(toks) > 1 {
				remove(e, toks[1:])
			}
		}
	}
}
