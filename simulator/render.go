package simulator

import (
	"fmt"
	"time"

	"github.com/mxharness/mxharness/simulator/jsonapi"
	"github.com/mxharness/mxharness/simulator/session"
)

// sessionResource renders a snapshot as MaxScale's session resource
// (ses.cc:388-491). remote maps the client address for ?rdns.
func sessionResource(s *session.Snapshot, base string, remote func(string) string) map[string]any {
	self := base + "sessions/" + s.ID + "/"
	// Sized for all 15 members up front: a 14-member literal plus "user"
	// would outgrow its table and rehash on every session of every GET.
	attrs := make(map[string]any, 15)
	attrs["state"] = s.State.String()
	attrs["remote"] = remote(s.Remote)
	attrs["port"] = int64(s.Port)
	attrs["connected"] = jsonapi.HTTPDate(s.Connected)
	attrs["seconds_alive"] = s.SecondsAlive
	attrs["idle"] = s.Idle
	attrs["memory"] = memoryTree(&s.Memory)
	attrs["io_activity"] = int64(s.IOActivity)
	attrs["connections"] = connectionsTree(s.Backends)
	attrs["client"] = clientTree(s)
	attrs["thread"] = int64(s.Thread)
	attrs["queries"] = queriesTree(s.Queries)
	attrs["log"] = stringsTree(s.Log)
	attrs["parameters"] = parametersTree(s.Parameters)
	if s.User != "" {
		attrs["user"] = s.User
	}
	rels := map[string]any{
		"services": relationship(base, self, "services", []string{s.Service}),
	}
	if len(s.Filters) > 0 {
		rels["filters"] = relationship(base, self, "filters", s.Filters)
	}
	return map[string]any{
		"id":            s.ID,
		"type":          "sessions",
		"attributes":    attrs,
		"relationships": rels,
		"links":         map[string]any{"self": self},
	}
}

// relationship is MaxScale's relationship object with its links.
func relationship(base, owner, typ string, ids []string) map[string]any {
	data := make([]any, len(ids))
	for i, id := range ids {
		data[i] = map[string]any{"id": id, "type": typ}
	}
	return map[string]any{
		"data": data,
		"links": map[string]any{
			"self":    owner + "relationships/" + typ + "/",
			"related": base + typ + "/",
		},
	}
}

func clientTree(s *session.Snapshot) map[string]any {
	c := map[string]any{"cipher": ""}
	if s.ConnectionAttributes == nil {
		c["connection_attributes"] = nil
	} else {
		attrs := make(map[string]any, len(s.ConnectionAttributes))
		for k, v := range s.ConnectionAttributes {
			attrs[k] = v
		}
		c["connection_attributes"] = attrs
	}
	if h := s.History; h != nil {
		c["sescmd_history_len"] = int64(h.Len)
		c["sescmd_history_stored_responses"] = int64(h.StoredResponses)
		c["sescmd_history_stored_metadata"] = int64(h.StoredMetadata)
	}
	return c
}

func connectionsTree(bs []session.Backend) []any {
	out := make([]any, len(bs))
	for i, b := range bs {
		out[i] = map[string]any{"connection_id": int64(b.ConnectionID), "server": b.Server, "cipher": ""}
	}
	return out
}

func buffersTree(b session.Buffers) map[string]any {
	return map[string]any{"writeq": int64(b.WriteQ), "readq": int64(b.ReadQ), "misc": int64(b.Misc), "total": int64(b.Total)}
}

func memoryTree(m *session.Memory) map[string]any {
	backends := make(map[string]any, len(m.Backends))
	for name, b := range m.Backends {
		backends[name] = buffersTree(b)
	}
	return map[string]any{
		"connection_buffers": map[string]any{
			"client":   buffersTree(m.Client),
			"backends": backends,
			"total":    int64(m.BuffersTotal),
		},
		"last_queries":   int64(m.LastQueries),
		"variables":      int64(m.Variables),
		"sescmd_history": int64(m.SescmdHistory),
		"exec_metadata":  int64(m.ExecMetadata),
		"total":          int64(m.Total),
	}
}

// queryTime is MaxScale's %G-%m-%dT%H:%M:%S.mmm in local time (%G is the
// ISO week-numbering year).
func queryTime(t time.Time) string {
	t = t.Local()
	year, _ := t.ISOWeek()
	return fmt.Sprintf("%04d-%s", year, t.Format("01-02T15:04:05.000"))
}

func queriesTree(qs []session.Query) []any {
	out := make([]any, len(qs))
	for i, q := range qs {
		e := map[string]any{"received": queryTime(q.Received), "responses": []any{}}
		if q.Statement != "" {
			e["command"], e["statement"] = q.Command, q.Statement
		}
		if !q.Completed.IsZero() {
			e["completed"] = queryTime(q.Completed)
			if q.Server != "" {
				e["responses"] = []any{map[string]any{"server": q.Server, "duration": q.Duration.Milliseconds()}}
			}
		}
		out[i] = e
	}
	return out
}

func stringsTree(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func parametersTree(p map[string]bool) map[string]any {
	out := make(map[string]any, len(p))
	for k, v := range p {
		out[k] = v
	}
	return out
}
