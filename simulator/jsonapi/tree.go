package jsonapi

import "math"

// The functions below let the filter, fields and paging code accept the
// concrete containers and number kinds Marshal accepts, without first
// copying the whole document into the canonical tree.

// scalar maps every Go integer kind to int64 (uint64 above MaxInt64 stays
// uint64: jansson has no such integers) and float32 to float64.
func scalar(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case int8:
		return int64(x)
	case uint:
		return uintScalar(uint64(x))
	case uint64:
		return uintScalar(x)
	case uint32:
		return int64(x)
	case uint16:
		return int64(x)
	case uint8:
		return int64(x)
	case float32:
		return float64(x)
	}
	return v
}

func uintScalar(u uint64) any {
	if u <= math.MaxInt64 {
		return int64(u)
	}
	return u
}

// AsObject returns v as map[string]any: a map[string]any itself, a copy
// of the other map types Marshal knows, and the object a Frozen or an
// Overlay stands for, built afresh, or a raw encoding decoded. Callers
// only read it.
func AsObject(v any) (map[string]any, bool) {
	switch x := v.(type) {
	case map[string]any:
		return x, true
	case map[string]string:
		return convertMap(x), true
	case map[string]int64:
		return convertMap(x), true
	case *Frozen:
		return x.Value(), true
	case *Overlay:
		return x.Value(), true
	case raw:
		if x[0] != '{' {
			return nil, false
		}
		obj, ok := plain(x).(map[string]any)
		return obj, ok
	}
	return nil, false
}

func convertMap[V any](m map[string]V) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// asArray returns v as []any, converting the other slice types Marshal
// knows.
func asArray(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []string:
		return convertSlice(x), true
	case []map[string]any:
		return convertSlice(x), true
	case *Rows:
		return x.all(), true
	case raw:
		if x[0] != '[' {
			return nil, false
		}
		arr, ok := plain(x).([]any)
		return arr, ok
	}
	return nil, false
}

// isArray reports whether asArray would find an array, without making one.
func isArray(v any) bool {
	switch x := v.(type) {
	case *Rows, []any, []string, []map[string]any:
		return true
	case raw:
		return x[0] == '['
	}
	return false
}

func convertSlice[V any](s []V) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
