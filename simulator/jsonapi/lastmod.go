package jsonapi

import (
	"strings"
	"sync"
	"time"
)

// LastModified is MaxScale's per-URI modification table (res.cc): every
// URI starts at the process start time, and a successful write stamps the
// written URI and all its parents (`sessions/5/restart` stamps
// `sessions/5/restart`, `sessions/5` and `sessions`). Natural changes to a
// session do not touch it. Safe for concurrent use.
type LastModified struct {
	mu    sync.Mutex
	start time.Time
	times map[string]time.Time
}

// NewLastModified returns a table whose URIs all start at start.
func NewLastModified(start time.Time) *LastModified {
	return &LastModified{start: start.Truncate(time.Second), times: map[string]time.Time{}}
}

// Get returns the last-modified time of a URI key (see URIKey).
func (l *LastModified) Get(key string) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t, ok := l.times[key]; ok {
		return t
	}
	return l.start
}

// Stamp records a successful write to key at t, on key and its parents.
func (l *LastModified) Stamp(key string, t time.Time) {
	t = t.Truncate(time.Second)
	l.mu.Lock()
	defer l.mu.Unlock()
	for key != "" {
		l.times[key] = t
		i := strings.LastIndexByte(key, '/')
		if i < 0 {
			break
		}
		key = key[:i]
	}
}

// URIKey turns a request path into the table's key: empty segments and a
// leading `v1` are dropped, so `/v1/sessions/5/` becomes `sessions/5`.
func URIKey(path string) string {
	var parts []string
	for seg := range strings.SplitSeq(path, "/") {
		if seg != "" {
			parts = append(parts, seg)
		}
	}
	if len(parts) > 0 && parts[0] == "v1" {
		parts = parts[1:]
	}
	return strings.Join(parts, "/")
}
