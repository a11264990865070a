package control

import (
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mxharness/mxharness/simulator/seed"
)

// Defaults of createSyntheticSessions (spec/control.yaml).
const (
	defaultService = "RW-Split-Router"
	defaultUser    = "maxuser"
	defaultRemote  = "127.0.0.1"
	maxCount       = 1000
)

// sessionParameters are the session-level parameters of a release build of
// MaxScale 24.02 (no log_debug).
var sessionParameters = []string{"log_error", "log_info", "log_notice", "log_warning"}

type syntheticAttributes struct {
	Count                *int              `json:"count"`
	Service              *string           `json:"service"`
	User                 *string           `json:"user"`
	Remote               *string           `json:"remote"`
	Port                 *int              `json:"port"`
	ConnectionAttributes map[string]string `json:"connection_attributes"`
	Parameters           map[string]bool   `json:"parameters"`
	Filters              []string          `json:"filters"`
	Busy                 bool              `json:"busy"`
	Age                  *string           `json:"age"`
}

// sessionTemplate validates the attributes and returns the session they
// describe (with the first port) and how many to create.
func (a *syntheticAttributes) sessionTemplate() (seed.Session, int, error) {
	s := seed.Session{Service: defaultService, User: defaultUser, Remote: defaultRemote,
		ConnectionAttributes: a.ConnectionAttributes, Parameters: a.Parameters,
		Filters: a.Filters, Busy: a.Busy}
	count := 1
	if a.Count != nil {
		count = *a.Count
	}
	if count < 1 || count > maxCount {
		return s, 0, invalidf("count %d is not between 1 and %d", count, maxCount)
	}
	for _, f := range []struct {
		name string
		src  *string
		dst  *string
	}{{"service", a.Service, &s.Service}, {"user", a.User, &s.User}, {"remote", a.Remote, &s.Remote}} {
		if f.src == nil {
			continue
		}
		if strings.TrimSpace(*f.src) == "" {
			return s, 0, invalidf("%s must not be empty", f.name)
		}
		*f.dst = *f.src
	}
	if a.Port != nil {
		if p := *a.Port; p < 1 || p+count-1 > math.MaxUint16 {
			return s, 0, invalidf("port %d does not leave %d client ports between 1 and 65535", p, count)
		}
		s.Port = *a.Port
	}
	for k := range a.Parameters {
		if !slices.Contains(sessionParameters, k) {
			return s, 0, invalidf("unknown parameter %q; session parameters are %s", k, strings.Join(sessionParameters, ", "))
		}
	}
	for i, f := range a.Filters {
		if f == "" {
			return s, 0, invalidf("filters[%d] is empty", i)
		}
	}
	if a.Age != nil {
		age, err := parseDuration("age", *a.Age)
		if err != nil {
			return s, 0, err
		}
		if age < 0 {
			return s, 0, invalidf("age %s is negative", age)
		}
		s.Age = age
	}
	return s, count, nil
}

func (c *Control) createSyntheticSessions(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	attrs, err := decodeResource[syntheticAttributes](r, "sessions")
	if err != nil {
		c.writeErr(w, r, err)
		return
	}
	if attrs == nil {
		attrs = &syntheticAttributes{}
	}
	tmpl, count, err := attrs.sessionTemplate()
	if err != nil {
		c.writeErr(w, r, err)
		return
	}
	ids := make([]string, 0, count)
	for i := range count {
		s := tmpl
		if s.Port != 0 {
			s.Port += i
		}
		// Every session gets its own copies: the registry may keep them.
		s.ConnectionAttributes = maps.Clone(tmpl.ConnectionAttributes)
		s.Parameters = maps.Clone(tmpl.Parameters)
		s.Filters = slices.Clone(tmpl.Filters)
		id, err := c.reg.CreateSynthetic(s)
		if err != nil {
			c.writeErr(w, r, err)
			return
		}
		ids = append(ids, id)
	}
	c.logger.InfoContext(r.Context(), "synthetic sessions created", "count", count, "service", tmpl.Service)
	writeJSON(w, http.StatusCreated, sessionRefs(r, ids))
}

// sessionRefs is the answer listing created sessions with links into the
// REST API.
func sessionRefs(r *http.Request, ids []string) map[string]any {
	data := make([]any, len(ids))
	for i, id := range ids {
		data[i] = map[string]any{"id": id, "type": "sessions",
			"links": map[string]any{"self": baseURL(r) + "/v1/sessions/" + id + "/"}}
	}
	return map[string]any{"data": data}
}

func (c *Control) killSession(w http.ResponseWriter, r *http.Request, params map[string]string) {
	id, err := parseID("session", params["id"])
	if err != nil {
		c.writeErr(w, r, err)
		return
	}
	ttl := 0
	if q := r.URL.Query(); q.Has("ttl") {
		ttl, err = strconv.Atoi(q.Get("ttl"))
		if err != nil || ttl < 0 || ttl > math.MaxInt32 {
			c.writeErr(w, r, invalidf("ttl %q is not a number of seconds between 0 and %d", q.Get("ttl"), math.MaxInt32))
			return
		}
	}
	if err := c.reg.Kill(id, ttl); err != nil {
		c.writeErr(w, r, err)
		return
	}
	c.logger.InfoContext(r.Context(), "session killed", "session_id", id, "ttl", ttl)
	w.WriteHeader(http.StatusNoContent)
}

// durationAttributes is the body of ageSession and advanceClock.
type durationAttributes struct {
	By *string `json:"by"`
}

// positiveDuration decodes a body {"data":{"attributes":{"by":"…"}}} whose
// duration must be positive.
func positiveDuration(r *http.Request) (time.Duration, error) {
	attrs, err := decodeResource[durationAttributes](r, "")
	if err != nil {
		return 0, err
	}
	if attrs == nil || attrs.By == nil {
		return 0, invalidf("invalid request body: data.attributes.by is required")
	}
	d, err := parseDuration("by", *attrs.By)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, invalidf("by %s is not a positive duration", d)
	}
	return d, nil
}

func (c *Control) ageSession(w http.ResponseWriter, r *http.Request, params map[string]string) {
	id, err := parseID("session", params["id"])
	if err != nil {
		c.writeErr(w, r, err)
		return
	}
	d, err := positiveDuration(r)
	if err != nil {
		c.writeErr(w, r, err)
		return
	}
	if err := c.reg.Age(id, d); err != nil {
		c.writeErr(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
