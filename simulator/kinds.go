package simulator

import (
	"math"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"

	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/jsonapi"
)

// kinds is the table of the API's objects besides sessions, in the shapes
// of MaxScale 24.02 (its REST documentation, and its source where that is
// silent). Each renderer shows what the configuration and the live
// sessions know; counters the simulator has no source for are left out
// rather than made up.
func (s *Server) kinds() []kind {
	return []kind{
		{get: "getMaxScale", path: "maxscale/", objects: (*view).maxscale,
			changes: []change{{op: "updateMaxScale", body: true, done: "was not modified", apply: s.alterMaxScale}}, what: "maxscale"},
		{list: "listServices", get: "getService", path: "services/", param: "name", noun: "service", objects: (*view).services,
			changes: []change{creates("createService"), updates("updateService"), destroys("deleteService"),
				relates("updateServiceRelationships", "servers", "services", "filters", "monitors", "listeners"),
				acts("stopService", "was not stopped"), acts("startService", "was not started")}, what: "service"},
		{list: "listServers", get: "getServer", path: "servers/", param: "name", noun: "server", objects: (*view).servers,
			changes: []change{creates("createServer"), updates("updateServer"), destroys("deleteServer"),
				relates("updateServerRelationships", "services", "monitors"),
				acts("setServerState", "was not set"), acts("clearServerState", "was not cleared")}, what: "server"},
		{list: "listFilters", get: "getFilter", path: "filters/", param: "name", noun: "filter", objects: (*view).filters,
			changes: []change{creates("createFilter"), updates("updateFilter"), destroys("deleteFilter")}, what: "filter"},
		{list: "listMonitors", get: "getMonitor", path: "monitors/", param: "name", noun: "monitor", objects: (*view).monitors,
			changes: []change{creates("createMonitor"), updates("updateMonitor"), destroys("deleteMonitor"),
				relates("updateMonitorRelationships", "servers", "services"),
				acts("stopMonitor", "was not stopped"), acts("startMonitor", "was not started")}, what: "monitor"},
		{list: "listListeners", get: "getListener", path: "listeners/", param: "name", noun: "listener", objects: (*view).listeners,
			changes: []change{creates("createListener"), updates("updateListener"), destroys("deleteListener"),
				acts("stopListener", "was not stopped"), acts("startListener", "was not started")}, what: "listener"},
		{list: "listThreads", get: "getThread", path: "maxscale/threads/", param: "threadId", noun: "thread", objects: (*view).threads},
		{list: "listModules", get: "getModule", path: "maxscale/modules/", param: "name", noun: "module", objects: (*view).modules},
		{list: "listInetUsers", get: "getInetUser", path: "users/inet/", param: "name", noun: "inetuser", objects: (*view).users,
			changes: []change{creates("createInetUser"), updates("updateInetUser"), destroys("deleteInetUser")}, what: "user"},
		// GET /v1/users is the inet users' document, self link included
		// (admin_all_users_to_json serves both).
		{list: "listUsers", path: "users/inet/", objects: (*view).users},
		{get: "getLogs", path: "maxscale/logs/", objects: (*view).logs},
		{get: "getLogData", path: "maxscale/logs/data/", objects: (*view).logData},
		{list: "listLogEntries", path: "maxscale/logs/entries/", objects: (*view).logEntries},
	}
}

// maxscale is /v1/maxscale: the instance, its global parameters and the
// machine it runs on (config.cc maxscale_to_json).
func (v *view) maxscale() []map[string]any {
	s := v.s
	host, port := splitHostPort(s.cfg.API.Address)
	started := httpDate(s)
	hostname, _ := os.Hostname()
	retain, trace := s.reg.Retention()
	return []map[string]any{{
		"id": "maxscale", "type": "maxscale",
		"attributes": map[string]any{
			"version":      s.profile.version,
			"commit":       "mxharness-simulator",
			"started_at":   started,
			"activated_at": started,
			"uptime":       int64(s.clock.Now().Sub(s.startedAt).Seconds()),
			"config_sync":  nil,
			"parameters": map[string]any{
				"admin_auth": true, "admin_enabled": true, "admin_gui": true, "admin_secure_gui": false,
				"admin_host": host, "admin_port": port,
				"log_debug": false, "log_info": false, "log_notice": true, "log_warning": true,
				"maxlog": true, "syslog": false, "ms_timestamp": false, "passive": false,
				"persist_runtime_changes": false, "skip_name_resolve": true,
				"retain_last_statements": int64(retain),
				"session_trace":          int64(trace),
				"threads":                int64(s.cfg.Threads),
			},
			"system": map[string]any{
				"machine":  map[string]any{"cores_available": int64(runtime.NumCPU())},
				"maxscale": map[string]any{"threads": int64(s.cfg.Threads)},
				"os":       map[string]any{"machine": runtime.GOARCH, "nodename": hostname, "sysname": runtime.GOOS},
			},
		},
	}}
}

// runtimeParameters are the global parameters a PATCH of /v1/maxscale
// changes in the simulator: they apply to the sessions created after it,
// as in MaxScale. A change of any other is refused whole.
var runtimeParameters = []string{"retain_last_statements", "session_trace"}

// alterMaxScale applies a PATCH of /v1/maxscale that sets only
// runtimeParameters, each to a count (a non-negative integer, or its
// decimal string), and answers MaxScale's 204; a bad count is a 400 and
// changes nothing. It returns nil for any other change.
func (s *Server) alterMaxScale(q *request) *reply {
	body, _ := jsonapi.AsObject(q.body)
	data, _ := jsonapi.AsObject(body["data"])
	attrs, _ := jsonapi.AsObject(data["attributes"])
	params, ok := jsonapi.AsObject(attrs["parameters"])
	if !ok || len(params) == 0 {
		return nil
	}
	retain, trace := s.reg.Retention()
	for k, val := range params {
		if !slices.Contains(runtimeParameters, k) {
			return nil
		}
		n, ok := count(val)
		if !ok {
			rep := errorReply(http.StatusBadRequest, "Invalid value for '"+k+"': "+string(jsonapi.Marshal(val, false))+" (a count, 0 or more, is needed)")
			return &rep
		}
		if k == "retain_last_statements" {
			retain = n
		} else {
			trace = n
		}
	}
	s.reg.SetRetention(retain, trace)
	s.logger.InfoContext(q.r.Context(), "global parameters changed", "retain_last_statements", retain, "session_trace", trace)
	return &reply{status: http.StatusNoContent}
}

// count reads a MaxScale count: a non-negative integer or its decimal
// string.
func count(v any) (int, bool) {
	switch x := v.(type) {
	case int64:
		return int(x), x >= 0 && x <= math.MaxInt32
	case string:
		n, err := strconv.Atoi(x)
		return n, err == nil && n >= 0 && n <= math.MaxInt32
	}
	return 0, false
}

// services: a service with its router, counts of the live sessions, its
// listener and its relationships (service.cc Service::to_json).
func (v *view) services() []map[string]any {
	v.count()
	out := make([]map[string]any, len(v.s.cfg.Services))
	for i, svc := range v.s.cfg.Services {
		self := v.self("services/", svc.Name)
		rels := map[string]any{
			"servers":   v.relationship(self, "servers", svc.Servers),
			"listeners": v.relationship(self, "listeners", []string{svc.ListenerOf()}),
		}
		if len(svc.Filters) > 0 {
			rels["filters"] = v.relationship(self, "filters", svc.Filters)
		}
		now := int64(v.perService[svc.Name])
		total, peak := v.s.reg.ServiceTotals(svc.Name)
		out[i] = v.object(svc.Name, "services", "services/", map[string]any{
			"router":  svc.Router,
			"state":   "Started",
			"started": httpDate(v.s),
			"parameters": map[string]any{
				"router": svc.Router, "type": "service", "user": firstSQLUser(v.s.cfg),
				"log_debug": false, "log_info": svc.LogInfo, "log_notice": svc.LogNotice,
				"log_warning": svc.LogWarning,
			},
			"connections":       now,
			"total_connections": total,
			"statistics":        map[string]any{"connections": now, "total_connections": total, "max_connections": peak},
			"listeners":         []any{v.listener(svc)},
		}, rels)
	}
	return out
}

func firstSQLUser(c config.Config) any {
	if len(c.SQLUsers) == 0 {
		return nil
	}
	return c.SQLUsers[0].Name
}

// servers: a server's address, its state as its monitor sees it (the first
// server of a monitor is the primary, the others replicate from it) and
// the backend connections of the live sessions.
func (v *view) servers() []map[string]any {
	v.count()
	out := make([]map[string]any, len(v.s.cfg.Servers))
	for i, sv := range v.s.cfg.Servers {
		self := v.self("servers/", sv.Name)
		rels := map[string]any{"services": v.relationship(self, "services",
			v.s.usedBy(sv.Name, func(c config.Service) []string { return c.Servers }))}
		state := "Running"
		if m, at := v.s.monitorOf(sv.Name); at >= 0 {
			rels["monitors"] = v.relationship(self, "monitors", []string{m.Name})
			state = "Slave, Running"
			if at == 0 {
				state = "Master, Running"
			}
		}
		conns := int64(v.perServer[sv.Name])
		out[i] = v.object(sv.Name, "servers", "servers/", map[string]any{
			"name":  sv.Name,
			"state": state,
			"parameters": map[string]any{
				"address": sv.Address, "port": int64(sv.Port), "socket": nil,
			},
			"statistics": map[string]any{"connections": conns},
		}, rels)
	}
	return out
}

func (v *view) filters() []map[string]any {
	out := make([]map[string]any, len(v.s.cfg.Filters))
	for i, f := range v.s.cfg.Filters {
		self := v.self("filters/", f.Name)
		out[i] = v.object(f.Name, "filters", "filters/", map[string]any{
			"module":     f.Module,
			"parameters": map[string]any{"module": f.Module},
		}, map[string]any{"services": v.relationship(self, "services",
			v.s.usedBy(f.Name, func(c config.Service) []string { return c.Filters }))})
	}
	return out
}

// monitors: a monitor's servers and, for mariadbmon, the topology it
// reports (the first server is the primary).
func (v *view) monitors() []map[string]any {
	out := make([]map[string]any, len(v.s.cfg.Monitors))
	for i, m := range v.s.cfg.Monitors {
		module := monitorModule(m)
		self := v.self("monitors/", m.Name)
		attrs := map[string]any{
			"module":     module,
			"state":      "Running",
			"parameters": map[string]any{"module": module, "type": "monitor", "user": firstSQLUser(v.s.cfg)},
		}
		if module == "mariadbmon" && len(m.Servers) > 0 {
			attrs["monitor_diagnostics"] = v.mariadbmonDiagnostics(m)
		}
		rels := map[string]any{"servers": v.relationship(self, "servers", m.Servers)}
		out[i] = v.object(m.Name, "monitors", "monitors/", attrs, rels)
	}
	return out
}

func monitorModule(m config.Monitor) string {
	if m.Module == "" {
		return "mariadbmon"
	}
	return m.Module
}

// mariadbmonDiagnostics is mariadbmon's monitor_diagnostics for m's
// simulated topology: the first server is the master, the others are its
// replicas, in sync.
func (v *view) mariadbmonDiagnostics(m config.Monitor) map[string]any {
	master := m.Servers[0]
	ids := map[string]int{}
	for i, sv := range v.s.cfg.Servers {
		ids[sv.Name] = i + 1
	}
	addr := func(name string) (string, int) {
		for _, sv := range v.s.cfg.Servers {
			if sv.Name == name {
				return sv.Address, sv.Port
			}
		}
		return "", 0
	}
	info := make([]any, len(m.Servers))
	for i, name := range m.Servers {
		replication := []any{}
		if i > 0 {
			host, port := addr(master)
			replication = append(replication, map[string]any{
				"connection_name": "", "master_host": host, "master_port": int64(port),
				"master_server_id": int64(ids[master]), "master_server_name": master,
				"slave_io_running": "Yes", "slave_sql_running": "Yes", "seconds_behind_master": int64(0),
				"using_gtid": "No", "gtid_io_pos": "", "last_io_error": "", "last_sql_error": "",
			})
		}
		info[i] = map[string]any{
			"name": name, "server_id": int64(ids[name]), "read_only": i > 0,
			"slave_connections": replication, "lock_held": nil, "master_group": nil,
			"gtid_binlog_pos": nil, "gtid_current_pos": nil,
		}
	}
	return map[string]any{"master": master, "master_gtid_domain_id": int64(0), "primary": nil,
		"server_info": info, "state": "Idle"}
}

// listener is a service's listener (listener.cc Listener::to_json).
func (v *view) listener(svc config.Service) map[string]any {
	name := svc.ListenerOf()
	host, port := splitHostPort(v.s.listenAddr(svc))
	// A listener has no links of its own (listener.cc Listener::to_json).
	return map[string]any{"id": name, "type": "listeners",
		"attributes": map[string]any{
			"state": "Running",
			"parameters": map[string]any{
				"address": host, "port": port, "socket": nil, "protocol": "MariaDBProtocol",
				"service": svc.Name, "type": "listener", "authenticator": nil, "ssl": false,
			},
		},
		"relationships": map[string]any{"services": v.relationship(v.self("listeners/", name), "services", []string{svc.Name})},
	}
}

func (v *view) listeners() []map[string]any {
	out := make([]map[string]any, len(v.s.cfg.Services))
	for i, svc := range v.s.cfg.Services {
		out[i] = v.listener(svc)
	}
	return out
}

// threads: one routing worker each, with the live sessions it holds (a
// session's attributes.thread). Its links say threads/<id>/, not
// maxscale/threads/<id>/, as MaxScale's do (routingworker.cc InfoTask).
func (v *view) threads() []map[string]any {
	v.count()
	out := make([]map[string]any, v.s.cfg.Threads)
	for i := range out {
		id := strconv.Itoa(i)
		n := int64(v.perThread[i])
		out[i] = map[string]any{
			"id": id, "type": "threads",
			"attributes": map[string]any{"stats": map[string]any{
				"state": "Active", "listening": true, "sessions": n, "zombies": int64(0),
				"load": map[string]any{"last_second": int64(0), "last_minute": int64(0), "last_hour": int64(0)},
			}},
			"links": map[string]any{"self": v.self("threads/", id)},
		}
	}
	return out
}

// module is what the simulator says of a MaxScale module it stands in for.
type module struct {
	name, typ, api, version, maturity, description string
}

// knownModules are the modules of the simulator's routers, filters,
// monitors, protocol and parser, with the versions and texts MaxScale
// 24.02.4 reports for them, in its order (case-insensitive by name).
var knownModules = []module{
	{"cache", "Filter", "filter", "V1.0.0", "GA", "A caching filter that is capable of caching and returning cached data."},
	{"hintfilter", "Filter", "filter", "V1.0.0", "Alpha", "A hint parsing filter"},
	{"MariaDBAuth", "Authenticator", "authenticator", "V2.1.0", "GA", "Standard MySQL/MariaDB authentication (mysql_native_password)"},
	{"mariadbmon", "Monitor", "monitor", "V1.5.0", "GA", "A MariaDB Primary/Replica replication monitor"},
	{"MariaDBProtocol", "Protocol", "protocol", "V1.1.0", "GA", "The client to MaxScale MySQL protocol implementation"},
	{"pp_sqlite", "Parser", "parser", "V1.0.0", "GA", "MariaDB SQL parser using sqlite3."},
	{"qlafilter", "Filter", "filter", "V1.1.1", "GA", "A simple query logging filter"},
	{"readconnroute", "Router", "router", "V2.0.0", "GA", "A connection based router to load balance based on connections"},
	{"readwritesplit", "Router", "router", "V1.1.0", "GA", "A Read/Write splitting router for enhancement read scalability"},
}

// modules: the core's two pseudo-modules and the modules the configuration
// loads. Their parameter specifications are not modelled (parameters is
// empty). Links say modules/<name>/, as MaxScale's do.
func (v *view) modules() []map[string]any {
	used := map[string]bool{"MariaDBProtocol": true, "MariaDBAuth": true, "pp_sqlite": true}
	for _, svc := range v.s.cfg.Services {
		used[svc.Router] = true
	}
	for _, f := range v.s.cfg.Filters {
		used[f.Module] = true
	}
	for _, m := range v.s.cfg.Monitors {
		used[monitorModule(m)] = true
	}
	mod := func(m module) map[string]any {
		attrs := map[string]any{"module_type": m.typ, "description": m.description, "maturity": m.maturity,
			"commands": []any{}, "parameters": []any{}}
		attrs["version"] = m.version
		if m.api != "" {
			attrs["api"] = m.api
		}
		return map[string]any{"id": m.name, "type": "modules", "attributes": attrs,
			"links": map[string]any{"self": v.self("modules/", m.name)}}
	}
	out := []map[string]any{
		mod(module{name: "maxscale", typ: "maxscale", version: v.s.profile.version, maturity: "GA", description: "maxscale"}),
		mod(module{name: "servers", typ: "servers", version: v.s.profile.version, maturity: "GA", description: "servers"}),
	}
	for _, m := range knownModules {
		if used[m.name] {
			out = append(out, mod(m))
		}
	}
	return out
}

// users: the REST API's accounts (adminusers.cc); created is when the
// simulator started, last_login the last request the account made.
func (v *view) users() []map[string]any {
	out := make([]map[string]any, len(v.s.cfg.API.Users))
	for i, u := range v.s.cfg.API.Users {
		var last any
		if t, ok := v.s.logins.Last(u.Name); ok {
			last = jsonapi.HTTPDate(t)
		}
		out[i] = v.object(u.Name, "inet", "users/inet/", map[string]any{
			"name": u.Name, "account": u.Account, "created": httpDate(v.s),
			"last_login": last, "last_update": nil,
		}, nil)
	}
	return out
}

// logs is /v1/maxscale/logs: where the log goes and its priorities.
func (v *view) logs() []map[string]any {
	return []map[string]any{{
		"id": "logs", "type": "logs",
		"attributes": map[string]any{
			"log_file":       nil,
			"log_priorities": []any{"alert", "error", "warning", "notice"},
			"parameters": map[string]any{"log_debug": false, "log_info": false, "log_notice": true,
				"log_warning": true, "maxlog": true, "ms_timestamp": false, "syslog": false,
				"log_throttling": map[string]any{"count": int64(10), "suppress": int64(10000), "window": int64(1000)}},
		},
	}}
}

// splitHostPort splits a validated HOST:PORT (config.Validate).
func splitHostPort(addr string) (string, int64) {
	host, port, _ := net.SplitHostPort(addr)
	n, _ := strconv.ParseInt(port, 10, 64)
	return host, n
}
