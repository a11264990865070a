package jsonapi

import (
	"fmt"
	"slices"
	"testing"
)

// TestKeptVerdicts: a filter's verdict is kept with the Frozen object its
// pointer or path reads, and only then: rows laid over the same frozen
// parts with other fresh values get their own verdicts, and another
// filter does not read the kept one.
func TestKeptVerdicts(t *testing.T) {
	parts := make([]*Frozen, 4) // the users u0…u3
	for i := range parts {
		attrs := map[string]any{"user": fmt.Sprint("u", i), "list": []any{int64(i)}}
		parts[i] = Freeze(func() map[string]any { return attrs })
	}
	resource := Freeze(func() map[string]any { return map[string]any{"type": "sessions"} })
	rows := func(idle ...float64) map[string]any {
		data := make([]any, len(parts))
		for i, p := range parts {
			attrs := p.With(Member{Key: "idle", Value: idle[i]})
			data[i] = resource.With(Member{Key: "attributes", Value: attrs}, Member{Key: "id", Value: fmt.Sprint(i)})
		}
		return map[string]any{"data": data}
	}
	ids := func(doc any) []string {
		var out []string
		for _, row := range doc.(map[string]any)["data"].([]any) {
			id, _, _ := memberOf(row, "id")
			out = append(out, id.(string))
		}
		return out
	}
	for _, tc := range []struct {
		query string
		idle  []float64
		want  []string
	}{
		{"filter=/attributes/idle=gt(5.0)", []float64{1, 9, 1, 9}, []string{"1", "3"}},
		{"filter=/attributes/idle=gt(5.0)", []float64{9, 1, 9, 1}, []string{"0", "2"}}, // a clock member: never kept
		{"filter%5Battributes.idle%5D=gt(5.0)", []float64{1, 1, 9, 9}, []string{"2", "3"}},
		{"filter=/attributes/user=ne(%22u1%22)", []float64{0, 0, 0, 0}, []string{"0", "2", "3"}},
		{"filter=/attributes/user=ne(%22u1%22)", []float64{9, 9, 9, 9}, []string{"0", "2", "3"}}, // kept
		{"filter=/attributes/user=eq(%22u1%22)", []float64{0, 0, 0, 0}, []string{"1"}},           // another filter
		{"filter%5Battributes.list%5B0%5D%5D=ge(2)", []float64{0, 0, 0, 0}, []string{"2", "3"}},
		{"filter%5Battributes.list%5B0%5D%5D=ge(2)", []float64{0, 0, 0, 0}, []string{"2", "3"}}, // kept
		{"filter%5Battributes.*%5D=eq(9.0)", []float64{9, 0, 0, 0}, []string{"0"}},              // a wildcard: the fresh members too
		{"filter%5Battributes.*%5D=eq(9.0)", []float64{0, 9, 0, 0}, []string{"1"}},
	} {
		doc, _, err := Shape(rows(tc.idle...), ParseQuery(tc.query), Options{})
		if err != nil {
			t.Fatalf("?%s: %v", tc.query, err)
		}
		if got := ids(doc); !slices.Equal(got, tc.want) {
			t.Errorf("?%s with idle %v: rows %v, want %v", tc.query, tc.idle, got, tc.want)
		}
	}
}
