package steps

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/go-openapi/jsonpointer"
)

// jsonLiteral is what a step may compare a value with: a JSON string,
// number, true, false, null, object or array, or a {placeholder} that
// expands to one.
const jsonLiteral = `(".*"|true|false|null|-?[0-9][0-9.eE+-]*|\{.*\}|\[.*\])`

// valueSteps check values in the last response's JSON body by JSON Pointer.
func valueSteps() []stepDef {
	return []stepDef{
		def(`^the value at "([^"]*)" is `+jsonLiteral+`$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			lit, err := s.expand(a[1])
			if err != nil {
				return err
			}
			want, err := decodeJSON([]byte(lit))
			if err != nil {
				return fmt.Errorf("expected value %s is not JSON: %w", lit, err)
			}
			return s.checkValue(a[0], func(v any) error {
				if !reflect.DeepEqual(v, want) {
					return fmt.Errorf("is %s, want %s", describe(v), describe(want))
				}
				return nil
			})
		}),
		def(`^the value at "([^"]*)" is an? (string|integer|real|number|boolean|object|array|null|HTTP date)$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			return s.checkValue(a[0], func(v any) error {
				if !hasKind(v, a[1]) {
					return fmt.Errorf("is %s, want a %s", describe(v), a[1])
				}
				return nil
			})
		}),
		def(`^there is (a|no) value at "([^"]*)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			v, err := s.valueAt(a[1])
			switch {
			case a[0] == "a" && err != nil:
				return err
			case a[0] == "no" && err == nil:
				return fmt.Errorf("%s is %s, want nothing there", a[1], describe(v))
			}
			return nil
		}),
		def(`^the value at "([^"]*)" has (at least )?(\d+) elements?$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			want, _ := strconv.Atoi(a[2])
			return s.checkValue(a[0], func(v any) error {
				arr, ok := v.([]any)
				if !ok {
					return fmt.Errorf("is %s, want an array", describe(v))
				}
				if len(arr) == want || (a[1] != "" && len(arr) > want) {
					return nil
				}
				return fmt.Errorf("has %d elements, want %s%d", len(arr), a[1], want)
			})
		}),
		def(`^the value at "([^"]*)" matches "(.*)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			return s.checkValue(a[0], func(v any) error {
				str, ok := v.(string)
				if !ok {
					return fmt.Errorf("is %s, want a string", describe(v))
				}
				return matches("value", str, a[1])
			})
		}),
		def(`^the link at "([^"]*)" is "([^"]*)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			want, err := s.link(a[1])
			if err != nil {
				return err
			}
			return s.checkValue(a[0], func(v any) error {
				if v != want {
					return fmt.Errorf("is %s, want %q", describe(v), want)
				}
				return nil
			})
		}),
		def(`^the object at "([^"]*)" has exactly the keys "([^"]*)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			return s.checkValue(a[0], func(v any) error { return exactKeys(v, commaList(a[1])) })
		}),
		def(`^the memory totals of the session add up$`, func(_ context.Context, s *scenario, _ []string, _ string) error {
			return s.checkValue("/data/attributes/memory", checkMemory)
		}),
	}
}

// valueAt resolves a JSON Pointer (after expanding placeholders) in the
// last response's body.
func (s *scenario) valueAt(ptr string) (any, error) {
	r, err := s.lastResponse()
	if err != nil {
		return nil, err
	}
	ptr, err = s.expand(ptr)
	if err != nil {
		return nil, err
	}
	if r.doc == nil {
		return nil, fmt.Errorf("%s %s: status %d, the body is not JSON (%v): %.200q", r.method, r.url, r.status, r.jsonErr, r.body)
	}
	v, err := pointerGet(r.doc, ptr)
	if err != nil {
		return nil, fmt.Errorf("%s %s: nothing at %s: %w", r.method, r.url, ptr, err)
	}
	return v, nil
}

// checkValue runs check on the value at ptr, naming ptr in its error.
func (s *scenario) checkValue(ptr string, check func(any) error) error {
	v, err := s.valueAt(ptr)
	if err != nil {
		return err
	}
	if err := check(v); err != nil {
		return fmt.Errorf("%s %w", ptr, err)
	}
	return nil
}

// link is the absolute URL MaxScale should write for path on this target.
func (s *scenario) link(path string) (string, error) {
	p, err := s.expand(path)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(s.target.APIURL, "/") + p, nil
}

func pointerGet(doc any, ptr string) (any, error) {
	p, err := jsonpointer.New(ptr)
	if err != nil {
		return nil, fmt.Errorf("bad JSON pointer %q: %w", ptr, err)
	}
	v, _, err := p.Get(doc)
	return v, err
}

func hasKind(v any, kind string) bool {
	switch kind {
	case "string":
		_, ok := v.(string)
		return ok
	case "integer":
		_, ok := v.(int64)
		return ok
	case "real":
		_, ok := v.(float64)
		return ok
	case "number":
		return hasKind(v, "integer") || hasKind(v, "real")
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "null":
		return v == nil
	case "HTTP date":
		str, ok := v.(string)
		if !ok {
			return false
		}
		_, err := http.ParseTime(str)
		return err == nil
	}
	return false
}

// describe shows a JSON value with its kind, for error messages.
func describe(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(t)
	case int64:
		return "integer " + strconv.FormatInt(t, 10)
	case float64:
		return "real " + strconv.FormatFloat(t, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return "an object with keys [" + strings.Join(keys, ", ") + "]"
	case []any:
		return fmt.Sprintf("an array of %d", len(t))
	}
	return fmt.Sprintf("%v", v)
}

func exactKeys(v any, want []string) error {
	obj, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("is %s, want an object", describe(v))
	}
	got := make([]string, 0, len(obj))
	for k := range obj {
		got = append(got, k)
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		return fmt.Errorf("has the keys [%s], want exactly [%s]", strings.Join(got, ", "), strings.Join(want, ", "))
	}
	return nil
}

func matches(what, v, expr string) error {
	re, err := regexp.Compile(expr)
	if err != nil {
		return fmt.Errorf("bad regular expression %q: %w", expr, err)
	}
	if !re.MatchString(v) {
		return fmt.Errorf("%s %q does not match %q", what, v, expr)
	}
	return nil
}

// checkMemory checks the sums the documentation's example shows: each
// buffer's total is writeq + readq + misc, the connection buffers' total is
// the client's plus every backend's, and the session's total is that plus
// the other memory counters.
func checkMemory(v any) error {
	mem, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("is %s, want an object", describe(v))
	}
	num := func(obj any, key string) (int64, error) {
		o, ok := obj.(map[string]any)
		if !ok {
			return 0, fmt.Errorf("is %s, want an object with %q", describe(obj), key)
		}
		n, ok := o[key].(int64)
		if !ok {
			return 0, fmt.Errorf("%s is %s, want an integer", key, describe(o[key]))
		}
		return n, nil
	}
	buffer := func(name string, b any) (int64, error) {
		var sum int64
		for _, k := range []string{"writeq", "readq", "misc"} {
			n, err := num(b, k)
			if err != nil {
				return 0, fmt.Errorf("%s: %w", name, err)
			}
			sum += n
		}
		total, err := num(b, "total")
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		if total != sum {
			return 0, fmt.Errorf("%s: total %d != writeq + readq + misc = %d", name, total, sum)
		}
		return total, nil
	}
	cb, _ := mem["connection_buffers"].(map[string]any)
	sum, err := buffer("client", cb["client"])
	if err != nil {
		return err
	}
	backends, ok := cb["backends"].(map[string]any)
	if !ok {
		return fmt.Errorf("connection_buffers/backends is %s, want an object", describe(cb["backends"]))
	}
	for name, b := range backends {
		t, err := buffer("backend "+name, b)
		if err != nil {
			return err
		}
		sum += t
	}
	cbTotal, err := num(cb, "total")
	if err != nil {
		return fmt.Errorf("connection_buffers: %w", err)
	}
	if cbTotal != sum {
		return fmt.Errorf("connection_buffers/total %d != client + backends = %d", cbTotal, sum)
	}
	sum = cbTotal
	for _, k := range []string{"last_queries", "variables", "sescmd_history", "exec_metadata"} {
		n, err := num(mem, k)
		if err != nil {
			return err
		}
		sum += n
	}
	total, err := num(mem, "total")
	if err != nil {
		return err
	}
	if total != sum {
		return fmt.Errorf("total %d != connection_buffers/total + last_queries + variables + sescmd_history + exec_metadata = %d", total, sum)
	}
	return nil
}
