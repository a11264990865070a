package jsonapi

import (
	"fmt"
	"iter"
	"sync/atomic"
	"testing"
)

// TestRememberedRows: a filter with kept verdicts over remembered rows
// keeps what it kept in their Matches, and the next filter of the same
// key makes those rows only and peeks none; another key, or a filter on a
// member laid over the frozen parts, peeks them all again.
func TestRememberedRows(t *testing.T) {
	const n = 1000
	parts := make([]*Frozen, n)
	for i := range parts {
		attrs := map[string]any{"user": fmt.Sprint("u", i%10)}
		parts[i] = Freeze(func() map[string]any { return attrs })
	}
	resource := Freeze(func() map[string]any { return map[string]any{"type": "sessions"} })
	row := func(i int, idle any) *Overlay {
		return resource.With(Member{Key: "attributes", Value: parts[i].With(Member{Key: "idle", Value: idle})},
			Member{Key: "id", Value: fmt.Sprint(i)})
	}
	m := NewMatches()
	var made, peeked atomic.Int64 // filters read rows on several goroutines
	rows := func(key string) map[string]any {
		r := NewRows(n, func(i int) any { made.Add(1); return row(i, float64(i%2)) }).Peeked(func(lo, hi int) iter.Seq2[int, any] {
			return func(yield func(int, any) bool) {
				for i := lo; i < hi; i++ {
					peeked.Add(1)
					if !yield(i, row(i, nil)) {
						return
					}
				}
			}
		}).Remembered(key, m)
		return map[string]any{"data": r}
	}
	for _, step := range []struct {
		key, query   string
		made, peeked int64
	}{
		{"v1", "filter=/attributes/user=eq(%22u3%22)", n, n},      // no verdict kept yet: every row made
		{"v1", "filter=/attributes/user=eq(%22u3%22)", n / 10, 0}, // the rows kept at v1
		{"v2", "filter=/attributes/user=eq(%22u3%22)", n / 10, n}, // another version: peeked again
		{"v2", "filter=/attributes/user=eq(%22u3%22)", n / 10, 0},
		{"v2", "filter=/attributes/idle=eq(1.0)", n, n}, // a member laid over: never kept
		{"v2", "filter=/attributes/idle=eq(1.0)", n, n},
	} {
		made.Store(0)
		peeked.Store(0)
		doc, _, err := Shape(rows(step.key), ParseQuery(step.query), Options{})
		if err != nil {
			t.Fatalf("?%s: %v", step.query, err)
		}
		kept := doc.(map[string]any)["data"].([]any)
		want := n / 10
		if step.query == "filter=/attributes/idle=eq(1.0)" {
			want = n / 2
		}
		if len(kept) != want || made.Load() != step.made || peeked.Load() != step.peeked {
			t.Errorf("%s ?%s: %d rows kept, %d made, %d peeked; want %d, %d, %d",
				step.key, step.query, len(kept), made.Load(), peeked.Load(), want, step.made, step.peeked)
		}
	}
}
