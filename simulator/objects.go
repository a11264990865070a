package simulator

import (
	"net/http"
	"slices"

	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/jsonapi"
)

// MaxScaleVersion is the version the simulator reports.
const MaxScaleVersion = "24.02.4"

// The read-only endpoints the session tooling touches: /v1/maxscale,
// services, filters and servers. They describe the configuration; only
// what the contract and MaxCtrl read is rendered.

func (s *Server) getAuth(q *request) reply {
	rep := s.auth.TokenReply(q.r, q.identity)
	return reply{status: rep.Status, doc: rep.Doc, header: rep.Header, noValidators: true}
}

func (s *Server) getMaxScale(q *request) reply {
	now := s.clock.Now()
	self := q.base + "maxscale/"
	started := jsonapi.HTTPDate(s.startedAt)
	return reply{status: http.StatusOK, doc: map[string]any{
		"data": map[string]any{
			"id": "maxscale", "type": "maxscale",
			"attributes": map[string]any{
				"version":      MaxScaleVersion,
				"commit":       "mxharness-simulator",
				"started_at":   started,
				"activated_at": started,
				"uptime":       int64(now.Sub(s.startedAt).Seconds()),
				"parameters": map[string]any{
					"retain_last_statements": int64(s.cfg.RetainLastStatements),
					"session_trace":          int64(s.cfg.SessionTrace),
					"threads":                int64(s.cfg.Threads),
					"admin_host":             s.cfg.API.Address,
				},
			},
			"links": map[string]any{"self": self},
		},
		"links": map[string]any{"self": self},
	}}
}

// checkName is MaxScale's placeholder check for a named object: an
// unknown name is "<name> is not a <kind>" (404).
func (s *Server) checkName(param, kind string) func(q *request) *reply {
	return func(q *request) *reply {
		name := q.params[param]
		var known bool
		switch kind {
		case "service":
			_, known = s.cfg.Service(name)
		case "filter":
			known = slices.ContainsFunc(s.cfg.Filters, func(f config.Filter) bool { return f.Name == name })
		case "server":
			known = slices.ContainsFunc(s.cfg.Servers, func(sv config.Server) bool { return sv.Name == name })
		}
		if known {
			return nil
		}
		rep := errorReply(http.StatusNotFound, name+" is not a "+kind)
		return &rep
	}
}

// collection and single build the two document shapes around resources.
func collection(q *request, typ string, data []any) reply {
	return reply{status: http.StatusOK, doc: map[string]any{
		"data": data, "links": map[string]any{"self": q.base + typ + "/"}}}
}

func single(q *request, typ, id string, res map[string]any) reply {
	return reply{status: http.StatusOK, doc: map[string]any{
		"data": res, "links": map[string]any{"self": q.base + typ + "/" + id + "/"}}}
}

func (s *Server) serviceResource(q *request, svc config.Service, sessions map[string]int) map[string]any {
	self := q.base + "services/" + svc.Name + "/"
	rels := map[string]any{"servers": relationship(q.base, self, "servers", svc.Servers)}
	if len(svc.Filters) > 0 {
		rels["filters"] = relationship(q.base, self, "filters", svc.Filters)
	}
	return map[string]any{
		"id": svc.Name, "type": "services",
		"attributes": map[string]any{
			"router": svc.Router,
			"state":  "Started",
			"parameters": map[string]any{
				"log_info": svc.LogInfo, "log_notice": svc.LogNotice,
				"log_warning": svc.LogWarning, "log_error": svc.LogError,
			},
			"connections": int64(sessions[svc.Name]),
			"listener":    svc.Listener,
		},
		"relationships": rels,
		"links":         map[string]any{"self": self},
	}
}

// sessionsPerService counts the current sessions of each service.
func (s *Server) sessionsPerService() map[string]int {
	n := map[string]int{}
	for _, snap := range s.reg.List() {
		n[snap.Service]++
	}
	return n
}

func (s *Server) listServices(q *request) reply {
	counts := s.sessionsPerService()
	data := make([]any, len(s.cfg.Services))
	for i, svc := range s.cfg.Services {
		data[i] = s.serviceResource(q, svc, counts)
	}
	return collection(q, "services", data)
}

func (s *Server) getService(q *request) reply {
	svc, _ := s.cfg.Service(q.params["name"])
	return single(q, "services", svc.Name, s.serviceResource(q, svc, s.sessionsPerService()))
}

// usedBy returns the services whose list (servers or filters) holds name.
func (s *Server) usedBy(name string, list func(config.Service) []string) []string {
	var out []string
	for _, svc := range s.cfg.Services {
		if slices.Contains(list(svc), name) {
			out = append(out, svc.Name)
		}
	}
	return out
}

// usedObject renders a filter or a server: a resource whose services
// relationship lists the services that use it (through list).
func (s *Server) usedObject(q *request, typ, name string, attrs map[string]any, list func(config.Service) []string) map[string]any {
	self := q.base + typ + "/" + name + "/"
	return map[string]any{
		"id": name, "type": typ, "attributes": attrs,
		"relationships": map[string]any{"services": relationship(q.base, self, "services", s.usedBy(name, list))},
		"links":         map[string]any{"self": self},
	}
}

func (s *Server) filterResource(q *request, f config.Filter) map[string]any {
	return s.usedObject(q, "filters", f.Name, map[string]any{"module": f.Module, "parameters": map[string]any{}},
		func(c config.Service) []string { return c.Filters })
}

func (s *Server) serverResource(q *request, sv config.Server) map[string]any {
	return s.usedObject(q, "servers", sv.Name, map[string]any{
		"state":      "Running",
		"parameters": map[string]any{"address": sv.Address, "port": int64(sv.Port)},
	}, func(c config.Service) []string { return c.Servers })
}

// listOf and getOf serve a configured kind of object; getOf runs after
// checkName, so the name exists.
func listOf[T any](q *request, typ string, items []T, render func(*request, T) map[string]any) reply {
	data := make([]any, len(items))
	for i, it := range items {
		data[i] = render(q, it)
	}
	return collection(q, typ, data)
}

func getOf[T any](q *request, typ string, items []T, name func(T) string, render func(*request, T) map[string]any) reply {
	i := slices.IndexFunc(items, func(it T) bool { return name(it) == q.params["name"] })
	return single(q, typ, name(items[i]), render(q, items[i]))
}

func filterName(f config.Filter) string { return f.Name }
func serverName(s config.Server) string { return s.Name }

func (s *Server) listFilters(q *request) reply {
	return listOf(q, "filters", s.cfg.Filters, s.filterResource)
}

func (s *Server) getFilter(q *request) reply {
	return getOf(q, "filters", s.cfg.Filters, filterName, s.filterResource)
}

func (s *Server) listServers(q *request) reply {
	return listOf(q, "servers", s.cfg.Servers, s.serverResource)
}

func (s *Server) getServer(q *request) reply {
	return getOf(q, "servers", s.cfg.Servers, serverName, s.serverResource)
}
