package simulator

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mxharness/mxharness/simulator/maxlog"
)

// logRows is how many of its own log lines the simulator keeps for
// /v1/maxscale/logs/data and /entries.
const logRows = 10000

// defaultLogPage is MaxScale's page[size] default for the log endpoints.
const defaultLogPage = 50

// logPage reads the page of the simulator's log that the request asks for
// with page[size], page[cursor] and priority (log.cc get_maxlog_data), and
// sets the view's links to MaxScale's pagination links for it
// (create_pagination_links).
func (v *view) logPage(path string) maxlog.Page {
	rows := defaultLogPage
	if size, ok := v.q.query.Get("page[size]"); ok && size != "" {
		n, err := strconv.Atoi(size)
		if err != nil || n <= 0 {
			rep := errorReply(http.StatusBadRequest, "Invalid value for 'page[size]': "+size)
			v.refused = &rep
			return maxlog.Page{}
		}
		rows = n
	}
	cursor := -1
	if c, ok := v.q.query.Get("page[cursor]"); ok {
		cursor = max(atoi(c), 0)
	}
	var prio []string
	if p := v.param("priority"); p != "" {
		prio = strings.Split(p, ",")
	}
	page := v.s.maxlog.Read(cursor, rows, prio)
	base := v.q.base + path
	tail := "&page%5Bsize%5D=" + strconv.Itoa(rows)
	if len(prio) > 0 {
		tail += "&priority=" + url.QueryEscape(strings.Join(prio, ","))
	}
	v.links = map[string]any{
		"self": base + "?page%5Bcursor%5D=" + strconv.Itoa(page.Current) + tail,
		"last": base + "?" + strings.TrimPrefix(tail, "&"),
	}
	if page.Prev >= 0 {
		v.links["prev"] = base + "?page%5Bcursor%5D=" + strconv.Itoa(page.Prev) + tail
	}
	return page
}

// param is the value of a query parameter, "" when absent.
func (v *view) param(key string) string {
	val, _ := v.q.query.Get(key)
	return val
}

// logEntry is one line's attributes (log.cc line_to_json).
func logEntry(e maxlog.Entry) map[string]any {
	t := e.Time.Local()
	return map[string]any{
		"message": e.Message, "priority": e.Priority,
		"timestamp": t.Format(time.DateTime), "unix_timestamp": t.Unix(),
	}
}

// logData is /v1/maxscale/logs/data: one resource holding the lines.
func (v *view) logData() []map[string]any {
	page := v.logPage("maxscale/logs/data/")
	lines := make([]any, len(page.Entries))
	for i, e := range page.Entries {
		l := logEntry(e)
		l["id"] = strconv.Itoa(e.Row)
		lines[i] = l
	}
	return []map[string]any{{"id": "log_data", "type": "log_data",
		"attributes": map[string]any{"log_source": "maxlog", "log": lines}}}
}

// logEntries is /v1/maxscale/logs/entries: one resource per line.
func (v *view) logEntries() []map[string]any {
	page := v.logPage("maxscale/logs/entries/")
	out := make([]map[string]any, len(page.Entries))
	for i, e := range page.Entries {
		attrs := logEntry(e)
		attrs["log_source"] = "maxlog"
		out[i] = map[string]any{"id": strconv.Itoa(e.Row), "type": "log_entry", "attributes": attrs}
	}
	return out
}

// logins remembers when each REST account last authenticated
// (last_login of /v1/users).
type logins struct {
	mu   sync.Mutex
	last map[string]time.Time
}

func (l *logins) Record(user string, t time.Time) {
	if user == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		l.last = map[string]time.Time{}
	}
	l.last[user] = t
}

func (l *logins) Last(user string) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, ok := l.last[user]
	return t, ok
}
