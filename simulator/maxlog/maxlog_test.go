package maxlog

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"
)

func TestReadPagesLikeMaxScale(t *testing.T) {
	l := New(time.Now, 4)
	for _, p := range []string{"notice", "error", "notice", "warning", "notice", "notice"} {
		l.Add(p, p)
	}
	rows := func(p Page) []int {
		var out []int
		for _, e := range p.Entries {
			out = append(out, e.Row)
		}
		return out
	}
	for _, tc := range []struct {
		name          string
		cursor, rows  int
		prio          []string
		want          []int
		current, prev int
	}{
		{"last two", -1, 2, nil, []int{4, 5}, 4, 2},
		{"more than kept", -1, 10, nil, []int{2, 3, 4, 5}, 2, 0},
		{"from a cursor", 3, 2, nil, []int{3, 4}, 3, 1},
		{"a cursor no longer kept", 0, 2, nil, []int{2, 3}, 2, 0},
		{"past the end", 9, 2, nil, nil, 6, 4},
		{"priority after paging", -1, 3, []string{"warning"}, []int{3}, 3, 0},
	} {
		p := l.Read(tc.cursor, tc.rows, tc.prio)
		if got := rows(p); !slices.Equal(got, tc.want) || p.Current != tc.current || p.Prev != tc.prev {
			t.Errorf("%s: rows %v current %d prev %d, want %v %d %d", tc.name, got, p.Current, p.Prev, tc.want, tc.current, tc.prev)
		}
	}
	if p := New(time.Now, 4).Read(-1, 2, nil); p.Prev != -1 || len(p.Entries) != 0 {
		t.Errorf("empty log: %+v, want no entries and no prev", p)
	}
}

func TestHandlerRecordsInfoAndAbove(t *testing.T) {
	l := New(time.Now, 10)
	logger := slog.New(Handler(slog.DiscardHandler, l)).With("component", "rest").WithGroup("g")
	logger.Debug("not kept")
	logger.Info("kept", "k", 1)
	logger.ErrorContext(context.Background(), "failed", "err", "boom")
	var got []string
	for _, e := range l.Read(-1, 10, nil).Entries {
		got = append(got, e.Priority+": "+e.Message)
	}
	want := []string{"notice: kept component=rest g.k=1", "error: failed component=rest g.err=boom"}
	if !slices.Equal(got, want) {
		t.Errorf("log = %q, want %q", got, want)
	}
}
