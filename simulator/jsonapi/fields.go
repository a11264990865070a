package jsonapi

import (
	"strings"
)

// fieldsParam is one `fields[<type>]=a,b/c` parameter.
type fieldsParam struct {
	typ   string
	paths [][]string
}

// parseFields reads a `fields[...]` value: items split on ',' with empty
// and duplicate items dropped, each item split on '/' with empty components
// dropped (mxb::strtok). An item made only of slashes becomes an empty path,
// which keeps the whole member, as in MaxScale.
func parseFields(typ, value string) fieldsParam {
	f := fieldsParam{typ: typ}
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
	return f
}

// apply returns doc with sparse fieldsets applied to `data` (each element
// of an array, or the single resource). doc itself is not modified.
func (f fieldsParam) apply(doc map[string]any) map[string]any {
	data, ok := doc["data"]
	if !ok {
		return doc
	}
	var newData any
	if rows, ok := asArray(data); ok {
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
// is removed. Resources of another type are returned unchanged.
func (f fieldsParam) resource(v any) any {
	res, ok := asObject(v)
	if !ok {
		return v
	}
	if t, ok := res["type"].(string); !ok || t != f.typ {
		return v
	}
	out := make(map[string]any, len(res))
	for k, el := range res {
		out[k] = el
	}
	for _, member := range []string{"attributes", "relationships"} {
		orig, present := res[member]
		if !present {
			continue
		}
		selected := map[string]any{}
		for _, path := range f.paths {
			if obj, ok := asObject(project(orig, path)); ok {
				mergeInto(selected, obj)
			}
		}
		if len(selected) == 0 {
			delete(out, member)
		} else {
			out[member] = selected
		}
	}
	return out
}

// project keeps only the branch of v named by path. A missing key leaves an
// empty object; a non-object (an array included) is kept whole.
func project(v any, path []string) any {
	if len(path) == 0 {
		return v
	}
	obj, ok := asObject(v)
	if !ok {
		return v
	}
	child, ok := obj[path[0]]
	if !ok {
		return map[string]any{}
	}
	return map[string]any{path[0]: project(child, path[1:])}
}

// mergeInto is MaxScale's recursive object update: objects on both sides
// merge, anything else is replaced by src's value. dest is owned by the
// caller; nested objects taken from src are copied before they are changed,
// so the input document is never modified.
func mergeInto(dest, src map[string]any) {
	for k, sv := range src {
		dobj, dIsObj := asObject(dest[k])
		sobj, sIsObj := asObject(sv)
		if !dIsObj || !sIsObj {
			dest[k] = sv
			continue
		}
		merged := make(map[string]any, len(dobj)+len(sobj))
		for dk, dv := range dobj {
			merged[dk] = dv
		}
		mergeInto(merged, sobj)
		dest[k] = merged
	}
}

// withMember returns a shallow copy of doc with key set to v.
func withMember(doc map[string]any, key string, v any) map[string]any {
	out := make(map[string]any, len(doc)+1)
	for k, el := range doc {
		out[k] = el
	}
	out[key] = v
	return out
}
