package jsonapi

import (
	"strings"
	"sync/atomic"
)

// A filter whose pointer or path reads members of one Frozen object only —
// none that an overlay lays over it, none the clock moves — gives each row
// the verdict its frozen parts give, request after request. The verdict
// is kept with the Frozen, for the next request of the same filter (the
// last one only: a client polls with one): a JSONPath filter over 10,000
// sessions spent half its time walking the same kept encodings on every
// GET.

// keptVerdict is a filter's verdict on the rows of one Frozen object,
// reached through depth names of the pointer or path.
type keptVerdict struct {
	filter string
	depth  int
	match  bool
}

// verdicts is a Frozen's kept verdict.
type verdicts = atomic.Pointer[keptVerdict]

// rowFilter is a filter on a collection's rows: match is its verdict on
// a row; kept, when not nil, reads the verdict kept for a row from the
// row's frozen parts alone (Rows.Peeked), known false when none is kept.
type rowFilter struct {
	match func(row any) bool
	kept  func(parts any) (match, known bool)
	// name names the filter, and judge is match that also reports
	// whether the verdict read the row's frozen parts only, when kept is
	// set (Matches).
	name  string
	judge func(row any) (match, frozen bool)
}

// keptVerdicts returns keep with the verdicts kept: filter names the
// filter (its kind, pointer or path, and expression), names are the
// member names the pointer or path reads first, in order.
func keptVerdicts(filter string, names []string, keep func(row any) bool) rowFilter {
	kept := func(f *Frozen, depth int) (match, known bool) {
		if k := f.verdict.Load(); k != nil && k.filter == filter && k.depth == depth {
			return k.match, true
		}
		return false, false
	}
	// judge is the verdict on a row, and whether it read the row's frozen
	// parts only.
	judge := func(row any) (match, frozen bool) {
		f, depth, ok := frozenScope(row, names)
		if !ok {
			return keep(row), false
		}
		if match, known := kept(f, depth); known {
			return match, true
		}
		match = keep(row)
		f.verdict.Store(&keptVerdict{filter: filter, depth: depth, match: match})
		return match, true
	}
	return rowFilter{
		match: func(row any) bool {
			match, _ := judge(row)
			return match
		},
		kept: func(parts any) (match, known bool) {
			if f, depth, ok := frozenScope(parts, names); ok {
				return kept(f, depth)
			}
			return false, false
		},
		name:  filter,
		judge: judge,
	}
}

// frozenScope follows names through row's overlays — each name a fresh
// member that is itself an overlay — to the first name that is not laid
// over: the pointer or path then reads the members of that overlay's
// Frozen only, and f is it. ok is false when a name is a fresh member that
// is not an overlay, when the names end on an overlay (the whole of it is
// read), or when an overlay leaves out or projects its frozen members.
func frozenScope(row any, names []string) (f *Frozen, depth int, ok bool) {
	o, isOverlay := row.(*Overlay)
	for i, name := range names {
		if !isOverlay || o.omit != nil || o.keep != nil {
			return nil, 0, false
		}
		fresh, laid := o.Fresh(name)
		if !laid {
			return o.base, i, true
		}
		o, isOverlay = fresh.(*Overlay)
	}
	return nil, 0, false
}

// pointerNames are the member names jsonPointer reads, in order.
func pointerNames(ptr string) []string {
	var names []string
	for comp := range strings.SplitSeq(ptr, "/") {
		if comp != "" {
			names = append(names, comp)
		}
	}
	return names
}

// pathNames are the member names jsonPath reads first, as walkPath splits
// them, up to the first bracket or wildcard.
func pathNames(path string) []string {
	path = strings.TrimPrefix(path, "$")
	var names []string
	for path != "" && path[0] != '[' {
		if path[0] == '.' {
			if path = path[1:]; path == "" {
				break
			}
		}
		end := strings.IndexAny(path, ".[")
		if end < 0 {
			end = len(path)
		}
		if path[:end] == "*" {
			break
		}
		names = append(names, path[:end])
		path = path[end:]
	}
	return names
}
