// Package maxlog keeps the simulator's own log lines for the REST API's
// /v1/maxscale/logs/data and /v1/maxscale/logs/entries, as MaxScale serves
// the lines of its maxscale.log: a slog.Handler that records every line at
// Info and above into a bounded in-memory log, besides passing it on to
// the handler it wraps.
package maxlog

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// Entry is one log line as MaxScale shows it.
type Entry struct {
	Row      int // position in the log, from 0 (MaxScale's id and cursor)
	Time     time.Time
	Priority string // alert, error, warning, notice, info
	Message  string
}

// Log is a bounded log of entries, safe for concurrent use.
type Log struct {
	now func() time.Time
	max int

	mu      sync.Mutex
	entries []Entry // the last max entries
	rows    int     // entries ever added
}

// New returns a log that keeps the last max entries, timed by now.
func New(now func() time.Time, max int) *Log { return &Log{now: now, max: max} }

// Add appends a line.
func (l *Log) Add(priority, message string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, Entry{Row: l.rows, Time: l.now(), Priority: priority, Message: message})
	l.rows++
	if len(l.entries) > l.max {
		l.entries = l.entries[len(l.entries)-l.max:]
	}
}

// Page is what MaxScale's get_maxlog_data reads for one request: the rows
// from cursor on (the last rows ones without a cursor), the first row's
// number (Current) and the cursor of the page before (Prev, -1 when
// there is none).
type Page struct {
	Entries       []Entry
	Current, Prev int
}

// Read returns up to rows entries from the row cursor on, or the last rows
// entries when cursor is negative, and keeps those whose priority is in
// priorities (all when it is empty): MaxScale filters after paging.
func (l *Log) Read(cursor, rows int, priorities []string) Page {
	l.mu.Lock()
	defer l.mu.Unlock()
	first := l.rows - len(l.entries) // the oldest row still kept
	var start, end int
	if cursor >= 0 {
		start, end = max(cursor, first), min(max(cursor, first)+rows, l.rows)
		start = min(start, end)
	} else {
		end = l.rows
		start = max(end-rows, first)
	}
	p := Page{Current: start, Prev: -1}
	if start > 0 {
		p.Prev = max(start-rows, 0)
	}
	for _, e := range l.entries[start-first : end-first] {
		if len(priorities) == 0 || slices.Contains(priorities, e.Priority) {
			p.Entries = append(p.Entries, e)
		}
	}
	return p
}

// Priority is MaxScale's log priority for a slog level.
func Priority(level slog.Level) string {
	switch {
	case level >= slog.LevelError:
		return "error"
	case level >= slog.LevelWarn:
		return "warning"
	case level >= slog.LevelInfo:
		return "notice"
	}
	return "info"
}

// Handler records into log every record at Info and above, with its
// attributes as key=value after the message, and passes every record on
// to next.
func Handler(next slog.Handler, log *Log) slog.Handler {
	return &handler{next: next, log: log}
}

type handler struct {
	next  slog.Handler
	log   *Log
	attrs []slog.Attr // from WithAttrs, prefixed with the groups in force
	group string      // the WithGroup prefix, "a.b."
}

func (h *handler) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= slog.LevelInfo || h.next.Enabled(ctx, level)
}

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelInfo {
		var b strings.Builder
		b.WriteString(r.Message)
		for _, a := range h.attrs {
			writeAttr(&b, "", a)
		}
		r.Attrs(func(a slog.Attr) bool {
			writeAttr(&b, h.group, a)
			return true
		})
		h.log.Add(Priority(r.Level), b.String())
	}
	if h.next.Enabled(ctx, r.Level) {
		return h.next.Handle(ctx, r)
	}
	return nil
}

func writeAttr(b *strings.Builder, prefix string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Value.Kind() == slog.KindGroup {
		for _, g := range a.Value.Group() {
			writeAttr(b, prefix+a.Key+".", g)
		}
		return
	}
	if a.Key == "" {
		return
	}
	b.WriteString(" " + prefix + a.Key + "=" + a.Value.String())
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.next = h.next.WithAttrs(attrs)
	c.attrs = append([]slog.Attr(nil), h.attrs...)
	for _, a := range attrs {
		if h.group != "" {
			a.Key = h.group + a.Key
		}
		c.attrs = append(c.attrs, a)
	}
	return &c
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.next = h.next.WithGroup(name)
	c.group = h.group + name + "."
	return &c
}
