package jsonapi

import (
	"slices"
	"strings"
)

// fieldsParam is one `fields[<type>]=a,b/c` parameter.
type fieldsParam struct {
	typ   string
	value string // the parameter's value, which names the fieldset
	paths [][]string
	// keys are the paths' keys when every path is a single key: such a
	// fieldset projects a Frozen or an Overlay without reading it.
	keys []string
}

// parseFields reads a `fields[...]` value: items split on ',' with empty
// and duplicate items dropped, each item split on '/' with empty components
// dropped (mxb::strtok). An item made only of slashes becomes an empty path,
// which keeps the whole member, as in MaxScale.
func parseFields(typ, value string) fieldsParam {
	f := fieldsParam{typ: typ, value: value}
	seen := map[string]bool{}
	for item := range strings.SplitSeq(value, ",") {
		if item == "" || seen[item] {
			continue
		}
		seen[item] = true
		var path []string
		for comp := range strings.SplitSeq(item, "/") {
			if comp != "" {
				path = append(path, comp)
			}
		}
		f.paths = append(f.paths, path)
	}
	keys := make([]string, 0, len(f.paths))
	for _, path := range f.paths {
		if len(path) != 1 {
			return f
		}
		keys = append(keys, path[0])
	}
	f.keys = keys
	return f
}

// FieldsAvoid reports whether q has a sparse fieldset for typ that selects
// something, and none of its paths is empty (the whole member) or begins
// with one of keys: then what `fields[typ]` keeps of a resource of that
// type does not hold those members.
func (q Query) FieldsAvoid(typ string, keys []string) bool {
	value, _ := q.Get("fields[" + typ + "]")
	if value == "" {
		return false // no fieldset (every list GET without one asks)
	}
	f := parseFields(typ, value)
	if len(f.paths) == 0 {
		return false // a fieldset that does nothing
	}
	for _, path := range f.paths {
		if len(path) == 0 || slices.Contains(keys, path[0]) {
			return false
		}
	}
	return true
}

// apply returns doc with sparse fieldsets applied to `data` (each element
// of an array, or the single resource). doc itself is not modified.
func (f fieldsParam) apply(doc map[string]any) map[string]any {
	data, ok := doc["data"]
	if !ok {
		return doc
	}
	var newData any
	if lazy, ok := data.(*Rows); ok {
		newData = lazy.Map(f.resource) // each row shaped as it is encoded
	} else if rows, ok := asArray(data); ok {
		out := make([]any, len(rows))
		for i, row := range rows {
			out[i] = f.resource(row)
		}
		newData = out
	} else {
		newData = f.resource(data)
	}
	return withMember(doc, "data", newData)
}

// resource keeps, inside `attributes` and separately inside
// `relationships`, only what the paths select; a member that ends up empty
// is removed. Resources of another type are returned unchanged. A Frozen
// or an Overlay stays one: only its selected members are read, from their
// kept encodings, and the members it keeps are copied from those.
func (f fieldsParam) resource(v any) any {
	typ, isObj, _ := memberOf(v, "type")
	if !isObj || !isString(typ, f.typ) {
		return v
	}
	var o *Overlay
	switch x := v.(type) {
	case *Frozen:
		o = &Overlay{base: x}
	case *Overlay:
		o = x
	default:
		res, _ := AsObject(v)
		out := copyObject(res, 0)
		for _, member := range []string{"attributes", "relationships"} {
			if orig, present := res[member]; present {
				if selected, ok := f.selectMember(orig); ok {
					out[member] = selected
				} else {
					delete(out, member) // a member that is not an object selects nothing and goes
				}
			}
		}
		return out
	}
	// One new overlay: the selections laid over o, the emptied members
	// left out.
	out := &Overlay{base: o.base, fresh: slices.Clone(o.fresh), omit: o.omit, keep: o.keep}
	for _, member := range []string{"attributes", "relationships"} {
		orig, _, present := memberOf(o, member)
		if !present {
			continue
		}
		out.fresh = slices.DeleteFunc(out.fresh, func(m Member) bool { return m.Key == member })
		var selected any
		var ok bool
		if _, fresh := o.Fresh(member); fresh {
			selected, ok = f.selectMember(orig)
		} else {
			// A frozen member (a session's relationships): what the
			// paths select of it depends on o's Frozen alone.
			selected, ok = f.selectKept(o.base, member, orig)
		}
		if ok {
			out.fresh = append(out.fresh, Member{Key: member, Value: selected})
		} else if !slices.Contains(out.omit, member) {
			out.omit = append(slices.Clip(out.omit), member)
		}
	}
	sortMembers(out.fresh)
	return out
}

// isString reports whether v is the string s, reading a raw encoding
// without decoding it.
func isString(v any, s string) bool {
	if r, ok := v.(raw); ok && len(r) == len(s)+2 && r[0] == '"' && string(r[1:len(r)-1]) == s {
		return true
	}
	str, ok := plain(v).(string)
	return ok && str == s
}

// selectMember is what the paths select of a resource's attributes or
// relationships: the union of selectPaths, or for a fieldset of single
// keys on a Frozen or an Overlay its projection on them; ok is false when
// nothing is selected.
func (f fieldsParam) selectMember(v any) (any, bool) {
	if f.keys != nil {
		var o *Overlay
		switch x := v.(type) {
		case *Frozen:
			o = &Overlay{base: x}
		case *Overlay:
			o = x
		}
		if o != nil {
			return o.project(f.keys)
		}
	}
	if o, ok := v.(*Overlay); ok && f.readsFrozenOnly(o) {
		return f.selectKept(o.base, "", o)
	}
	selected := f.selectPaths(v)
	return selected, len(selected) > 0
}

// readsFrozenOnly reports whether the paths read only o's frozen members,
// all of which o shows: then what they select depends on o's Frozen alone.
func (f fieldsParam) readsFrozenOnly(o *Overlay) bool {
	if o.omit != nil || o.keep != nil {
		return false
	}
	for _, path := range f.paths {
		if len(path) == 0 || slices.ContainsFunc(o.fresh, func(m Member) bool { return m.Key == path[0] }) {
			return false
		}
	}
	return true
}

// keptSelection is what a fieldset selected of a Frozen object or of one
// of its frozen members, encoded marked (raw); sel is nil when it selected
// nothing.
type keptSelection struct {
	fields string
	member string // the frozen member selected from; "" for the object
	sel    raw
}

// selectKept is selectPaths of obj, which is what holder shows of member
// (an overlay of holder whose fresh members the paths do not read, for
// ""): the selection depends on holder alone. It is kept with holder,
// encoded, for the next request of the same fieldset (the last one only:
// a client polls with one): `fields` over 10,000 sessions built and
// encoded the same small maps for every row on every GET, and scanned
// each session's relationships for its paths. A selection whose encoding
// would not give its values back (invalid UTF-8…) is not kept.
func (f fieldsParam) selectKept(holder *Frozen, member string, obj any) (any, bool) {
	if k := holder.selection.Load(); k != nil && k.fields == f.value && k.member == member {
		if k.sel == nil {
			return nil, false
		}
		return k.sel, true
	}
	selected := f.selectPaths(obj)
	k := &keptSelection{fields: f.value, member: member}
	if len(selected) > 0 {
		var lossy bool
		if k.sel, lossy = encodeMarked(selected); lossy {
			return selected, true
		}
	}
	holder.selection.Store(k)
	return selected, len(selected) > 0
}

// selectPaths returns the union of obj's branches named by the paths, as
// MaxScale computes it: each path is projected (a missing key leaves an
// empty object, a non-object is kept whole) and the projections are
// merged. It returns nil when nothing is selected.
func (f fieldsParam) selectPaths(obj any) map[string]any {
	var selected map[string]any
	for _, path := range f.paths {
		if len(path) == 0 {
			// An item made only of slashes keeps the whole member.
			if whole, _ := AsObject(obj); len(whole) > 0 {
				selected = ensureObject(selected)
				mergeInto(selected, whole)
			}
			continue
		}
		child, _, found := memberOf(obj, path[0])
		if !found {
			continue // projects to {}: adds nothing
		}
		selected = ensureObject(selected)
		selectInto(selected, path[0], child, path[1:])
	}
	return selected
}

func ensureObject(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// selectInto merges the projection of child (the member key of an object)
// on rest into dest without building the projection first: the small maps
// that building it allocated, only to merge and drop them, dominated the
// profile of fields over 10,000 sessions.
func selectInto(dest map[string]any, key string, child any, rest []string) {
	var next any
	childIsObj, found := false, false
	if len(rest) > 0 {
		next, childIsObj, found = memberOf(child, rest[0])
	}
	if !childIsObj {
		mergeMember(dest, key, child) // the projection keeps child whole
		return
	}
	// The projection of child is an object: merge it into a copy of an
	// existing object (which may belong to the input), or a new one. A
	// missing next key leaves that object as it is (an empty projection).
	target, ok := AsObject(dest[key])
	if ok {
		target = copyObject(target, 0)
	} else {
		target = map[string]any{}
	}
	if found {
		selectInto(target, rest[0], next, rest[1:])
	}
	dest[key] = target
}

// mergeInto is MaxScale's recursive object update: objects on both sides
// merge, anything else is replaced by src's value. dest is owned by the
// caller; nested objects taken from src are copied before they are changed,
// so the input document is never modified.
func mergeInto(dest, src map[string]any) {
	for k, sv := range src {
		mergeMember(dest, k, sv)
	}
}

// mergeMember merges sv into dest[k] as mergeInto does for one member.
func mergeMember(dest map[string]any, k string, sv any) {
	dobj, dIsObj := AsObject(dest[k])
	sobj, sIsObj := AsObject(sv)
	if !dIsObj || !sIsObj {
		dest[k] = sv
		return
	}
	merged := copyObject(dobj, len(sobj))
	mergeInto(merged, sobj)
	dest[k] = merged
}

// copyObject returns a shallow copy of m with room for extra more members.
func copyObject(m map[string]any, extra int) map[string]any {
	out := make(map[string]any, len(m)+extra)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// withMember returns a shallow copy of doc with key set to v.
func withMember(doc map[string]any, key string, v any) map[string]any {
	out := copyObject(doc, 1)
	out[key] = v
	return out
}
