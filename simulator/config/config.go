// Package config describes what a simulated MaxScale contains: its REST API
// address and users, services with their listeners, servers, filters and
// SQL users, and the statement-retention settings. Default returns
// MaxScale's own defaults; Load reads a YAML file (docs/CONFIG.md) over
// them; Override applies the command line's address flags.
package config

import (
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// Routers the simulator knows. Only readwritesplit keeps a session-command
// history (the client.sescmd_history_* keys).
const (
	RouterReadWriteSplit = "readwritesplit"
	RouterReadConnRoute  = "readconnroute"
)

// REST API account types.
const (
	AccountAdmin = "admin"
	AccountBasic = "basic"
)

// Config is a whole simulated MaxScale.
type Config struct {
	// API is the REST API (default 127.0.0.1:8989, admin/mariadb and the
	// read-only basic/mariadb).
	API API `json:"api"`
	// Services, each with one listener.
	Services []Service `json:"services"`
	// Servers are the simulated backends; sessions get backend connection
	// ids from them, no real database is contacted.
	Servers []Server `json:"servers"`
	// Filters that sessions may be given with PATCH and services list.
	Filters []Filter `json:"filters"`
	// Monitors watch servers; the REST API shows them (monitors, and the
	// servers' monitors relationship). They never contact a server.
	Monitors []Monitor `json:"monitors"`
	// SQLUsers may log in on every listener.
	SQLUsers []SQLUser `json:"sql_users"`
	// RetainLastStatements is MaxScale's global retain_last_statements:
	// how many statements a session keeps in attributes.queries (0: none).
	RetainLastStatements int `json:"retain_last_statements"`
	// SessionTrace is MaxScale's global session_trace: how many trace
	// lines a session keeps in attributes.log (0: none).
	SessionTrace int `json:"session_trace"`
	// Threads is the number of routing workers; sessions are assigned to
	// them round-robin (attributes.thread). Default 2.
	Threads int `json:"threads"`
}

// API is the REST API's address and accounts.
type API struct {
	Address string     `json:"address"`
	Users   []RESTUser `json:"users"`
}

// RESTUser is a REST API account; Account is "admin" or "basic" (read-only).
type RESTUser struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	Account  string `json:"account"`
}

// Service is a MaxScale service with its listener.
type Service struct {
	Name string `json:"name"`
	// Router is readwritesplit or readconnroute.
	Router string `json:"router"`
	// Listener is the HOST:PORT the service's SQL listener binds (port 0:
	// any free port).
	Listener string `json:"listener"`
	// ListenerName is the listener's name in the REST API (default:
	// the service's name with "-Listener").
	ListenerName string `json:"listener_name"`
	// Servers the service's sessions connect to, in order.
	Servers []string `json:"servers"`
	// Filters is the service's own filter chain. MaxScale never shows it
	// on a session.
	Filters []string `json:"filters"`
	// Service-level log flags; a session's parameters.log_* show the
	// session's flag OR these.
	LogInfo    bool `json:"log_info"`
	LogNotice  bool `json:"log_notice"`
	LogWarning bool `json:"log_warning"`
	LogError   bool `json:"log_error"`
}

// Server is a simulated backend.
type Server struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	Port    int    `json:"port"`
}

// Monitor is a monitor of servers (module mariadbmon by default).
type Monitor struct {
	Name    string   `json:"name"`
	Module  string   `json:"module"`
	Servers []string `json:"servers"`
}

// Filter is a filter instance.
type Filter struct {
	Name   string `json:"name"`
	Module string `json:"module"`
}

// SQLUser is an account SQL clients log in with.
type SQLUser struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// Default returns MaxScale's defaults: the configuration of the reference
// MaxScale 24.02.4 the transcripts were captured from.
func Default() Config {
	return Config{
		API: API{
			Address: "127.0.0.1:8989",
			Users: []RESTUser{
				{Name: "admin", Password: "mariadb", Account: AccountAdmin},
				{Name: "basic", Password: "mariadb", Account: AccountBasic},
			},
		},
		Services: []Service{
			{Name: "RW-Split-Router", Router: RouterReadWriteSplit, Listener: "127.0.0.1:4006", ListenerName: "RW-Split-Listener",
				Servers: []string{"server1"}, Filters: []string{"my-cache-filter", "my-log-filter"}},
			{Name: "Read-Connection-Router", Router: RouterReadConnRoute, Listener: "127.0.0.1:4008", ListenerName: "Read-Connection-Listener",
				Servers: []string{"server1"}},
		},
		Servers: []Server{
			{Name: "server1", Address: "127.0.0.1", Port: 3000},
			{Name: "server2", Address: "127.0.0.1", Port: 3001},
		},
		Filters: []Filter{
			{Name: "my-cache-filter", Module: "cache"},
			{Name: "my-log-filter", Module: "qlafilter"},
			{Name: "my-hint-filter", Module: "hintfilter"},
		},
		Monitors:             []Monitor{{Name: "MariaDB-Monitor", Module: "mariadbmon", Servers: []string{"server1", "server2"}}},
		SQLUsers:             []SQLUser{{Name: "maxuser", Password: "maxpwd"}},
		RetainLastStatements: 0,
		SessionTrace:         0,
		Threads:              2,
	}
}

// Load reads a YAML configuration file over Default: every top-level key
// the file sets replaces the default value (lists are replaced whole),
// absent keys keep their defaults. Unknown keys are an error, so that a
// typo does not go unnoticed.
func Load(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	cfg := Default()
	if err := yaml.UnmarshalStrict(data, &cfg); err != nil {
		return Config{}, fmt.Errorf("parse config %s: %w", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// Override replaces the REST API address (when apiAddr is not empty) and
// the listener address of each named service, then validates the result.
func (c *Config) Override(apiAddr string, listen map[string]string) error {
	if apiAddr != "" {
		c.API.Address = apiAddr
	}
	for name, addr := range listen {
		i := slices.IndexFunc(c.Services, func(s Service) bool { return s.Name == name })
		if i < 0 {
			return fmt.Errorf("listen %s=%s: no service %q (services: %s)", name, addr, name, strings.Join(c.ServiceNames(), ", "))
		}
		c.Services[i].Listener = addr
	}
	return c.Validate()
}

// ServiceNames returns the names of the services in configuration order.
func (c *Config) ServiceNames() []string {
	names := make([]string, len(c.Services))
	for i, s := range c.Services {
		names[i] = s.Name
	}
	return names
}

// ListenerOf returns the name of the service's listener.
func (s Service) ListenerOf() string {
	if s.ListenerName != "" {
		return s.ListenerName
	}
	return s.Name + "-Listener"
}

// Service returns the named service.
func (c *Config) Service(name string) (Service, bool) {
	i := slices.IndexFunc(c.Services, func(s Service) bool { return s.Name == name })
	if i < 0 {
		return Service{}, false
	}
	return c.Services[i], true
}

// Validate reports every inconsistency it finds, joined.
func (c *Config) Validate() error {
	var errs []error
	addErr := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if err := checkAddress(c.API.Address); err != nil {
		addErr("api.address: %w", err)
	}
	checkUnique := func(kind string, names []string) {
		seen := map[string]bool{}
		for _, n := range names {
			if strings.TrimSpace(n) == "" {
				addErr("%s: empty name", kind)
			} else if seen[n] {
				addErr("%s: duplicate name %q", kind, n)
			}
			seen[n] = true
		}
	}
	var userNames, serverNames, filterNames, sqlNames []string
	for _, u := range c.API.Users {
		userNames = append(userNames, u.Name)
		if u.Account != AccountAdmin && u.Account != AccountBasic {
			addErr("api.users: %s: account %q is neither %q nor %q", u.Name, u.Account, AccountAdmin, AccountBasic)
		}
	}
	for _, s := range c.Servers {
		serverNames = append(serverNames, s.Name)
	}
	for _, f := range c.Filters {
		filterNames = append(filterNames, f.Name)
	}
	for _, u := range c.SQLUsers {
		sqlNames = append(sqlNames, u.Name)
	}
	checkUnique("api.users", userNames)
	checkUnique("services", c.ServiceNames())
	checkUnique("servers", serverNames)
	checkUnique("filters", filterNames)
	checkUnique("sql_users", sqlNames)
	var monitorNames, listenerNames []string
	monitoredBy := map[string]string{}
	for _, m := range c.Monitors {
		monitorNames = append(monitorNames, m.Name)
		for _, srv := range m.Servers {
			if !slices.Contains(serverNames, srv) {
				addErr("monitor %s: unknown server %q", m.Name, srv)
			} else if other, ok := monitoredBy[srv]; ok {
				// MaxScale refuses it too: a server has at most one monitor.
				addErr("monitor %s: server %q is already monitored by %s", m.Name, srv, other)
			}
			monitoredBy[srv] = m.Name
		}
	}
	for _, s := range c.Services {
		listenerNames = append(listenerNames, s.ListenerOf())
	}
	checkUnique("monitors", monitorNames)
	checkUnique("listeners", listenerNames)
	if len(c.Services) == 0 {
		addErr("services: at least one service is needed")
	}
	for _, s := range c.Services {
		if s.Router != RouterReadWriteSplit && s.Router != RouterReadConnRoute {
			addErr("service %s: router %q is neither %q nor %q", s.Name, s.Router, RouterReadWriteSplit, RouterReadConnRoute)
		}
		if err := checkAddress(s.Listener); err != nil {
			addErr("service %s: listener: %w", s.Name, err)
		}
		for _, srv := range s.Servers {
			if !slices.Contains(serverNames, srv) {
				addErr("service %s: unknown server %q", s.Name, srv)
			}
		}
		for _, f := range s.Filters {
			if !slices.Contains(filterNames, f) {
				addErr("service %s: unknown filter %q", s.Name, f)
			}
		}
	}
	if c.RetainLastStatements < 0 {
		addErr("retain_last_statements: %d is negative", c.RetainLastStatements)
	}
	if c.SessionTrace < 0 {
		addErr("session_trace: %d is negative", c.SessionTrace)
	}
	if c.Threads < 1 {
		addErr("threads: %d is less than 1", c.Threads)
	}
	return errors.Join(errs...)
}

func checkAddress(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not HOST:PORT: %w", addr, err)
	}
	if port == "" {
		return fmt.Errorf("%q has no port", addr)
	}
	return nil
}
