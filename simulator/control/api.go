package control

import (
	"net/http"
	"strings"
	"time"

	"github.com/mxharness/mxharness/simulator/seed"
)

// This file holds the handlers of the faults, clock and simulator tags.

type faultAttributes struct {
	Operation string  `json:"operation"`
	Path      string  `json:"path"`
	Method    string  `json:"method"`
	Latency   *string `json:"latency"`
	Status    *int    `json:"status"`
	Detail    string  `json:"detail"`
	Count     *int    `json:"count"`
	Duration  *string `json:"duration"`
}

// settings converts the body's attributes; Faults.Add validates the rest.
func (a *faultAttributes) settings() (FaultSettings, error) {
	s := FaultSettings{Operation: a.Operation, Path: a.Path, Method: a.Method, Detail: a.Detail}
	var err error
	if a.Latency != nil {
		if s.Latency, err = parseDuration("latency", *a.Latency); err != nil {
			return s, err
		}
	}
	if a.Duration != nil {
		if s.Duration, err = parseDuration("duration", *a.Duration); err != nil {
			return s, err
		}
		if s.Duration == 0 {
			return s, invalidf("duration 0s is not positive")
		}
	}
	if a.Status != nil {
		if *a.Status == 0 {
			return s, invalidf("status 0 is not between 200 and 599")
		}
		s.Status = *a.Status
	}
	if a.Count != nil {
		if *a.Count < 1 {
			return s, invalidf("count %d is not at least 1", *a.Count)
		}
		s.Count = *a.Count
	}
	return s, nil
}

// faultResource is a fault as the control API shows it.
func faultResource(r *http.Request, f Fault) map[string]any {
	attrs := map[string]any{"hits": f.Hits}
	for k, v := range map[string]string{"operation": f.Operation, "path": f.Path, "method": f.Method, "detail": f.Detail} {
		if v != "" {
			attrs[k] = v
		}
	}
	if f.Latency > 0 {
		attrs["latency"] = f.Latency.String()
	}
	if f.Status != 0 {
		attrs["status"] = f.Status
	}
	if f.Count > 0 {
		attrs["count"] = f.Count
		attrs["remaining"] = f.Remaining
	}
	if f.Duration > 0 {
		attrs["duration"] = f.Duration.String()
		attrs["expires"] = f.Expires.UTC().Format(time.RFC3339Nano)
	}
	return map[string]any{"id": f.ID, "type": "faults", "attributes": attrs,
		"links": map[string]any{"self": baseURL(r) + controlPrefix + "v1/faults/" + f.ID}}
}

func (c *Control) createFault(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	attrs, err := decodeResource[faultAttributes](r, "faults")
	if err != nil {
		c.writeErr(w, r, err)
		return
	}
	if attrs == nil {
		c.writeErr(w, r, invalidf("invalid request body: data.attributes is required"))
		return
	}
	s, err := attrs.settings()
	if err != nil {
		c.writeErr(w, r, err)
		return
	}
	f, err := c.faults.Add(s)
	if err != nil {
		c.writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"data": faultResource(r, f)})
}

func (c *Control) listFaults(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	list := c.faults.List()
	data := make([]any, len(list))
	for i, f := range list {
		data[i] = faultResource(r, f)
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

func (c *Control) clearFaults(w http.ResponseWriter, _ *http.Request, _ map[string]string) {
	c.faults.Clear()
	w.WriteHeader(http.StatusNoContent)
}

func (c *Control) getFault(w http.ResponseWriter, r *http.Request, params map[string]string) {
	id, err := parseID("fault", params["id"])
	if err != nil {
		c.writeErr(w, r, err)
		return
	}
	f, ok := c.faults.Get(id)
	if !ok {
		c.writeErr(w, r, notFoundf("fault %s is not active", id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": faultResource(r, f)})
}

func (c *Control) deleteFault(w http.ResponseWriter, r *http.Request, params map[string]string) {
	id, err := parseID("fault", params["id"])
	if err != nil {
		c.writeErr(w, r, err)
		return
	}
	if !c.faults.Delete(id) {
		c.writeErr(w, r, notFoundf("fault %s is not active", id))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (c *Control) writeClock(w http.ResponseWriter, status int) {
	writeJSON(w, status, map[string]any{"data": map[string]any{"id": "clock", "type": "clock",
		"attributes": map[string]any{"now": c.clock.Now().UTC().Format(time.RFC3339Nano), "frozen": c.clock.Frozen()}}})
}

func (c *Control) getClock(w http.ResponseWriter, _ *http.Request, _ map[string]string) {
	c.writeClock(w, http.StatusOK)
}

type clockAttributes struct {
	Frozen *bool `json:"frozen"`
}

func (c *Control) updateClock(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	attrs, err := decodeResource[clockAttributes](r, "clock")
	if err != nil {
		c.writeErr(w, r, err)
		return
	}
	if attrs == nil || attrs.Frozen == nil {
		c.writeErr(w, r, invalidf("invalid request body: data.attributes.frozen is required"))
		return
	}
	if *attrs.Frozen {
		c.clock.Freeze()
	} else {
		c.clock.Unfreeze()
	}
	c.logger.InfoContext(r.Context(), "clock changed", "frozen", *attrs.Frozen)
	c.writeClock(w, http.StatusOK)
}

func (c *Control) advanceClock(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	d, err := positiveDuration(r)
	if err != nil {
		c.writeErr(w, r, err)
		return
	}
	c.clock.Advance(d)
	c.logger.InfoContext(r.Context(), "clock advanced", "by", d)
	c.writeClock(w, http.StatusOK)
}

func (c *Control) resetSimulator(w http.ResponseWriter, r *http.Request, _ map[string]string) {
	c.reg.Reset()
	c.faults.Clear()
	c.clock.Unfreeze()
	c.logger.InfoContext(r.Context(), "simulator reset")
	w.WriteHeader(http.StatusNoContent)
}

func (c *Control) listSeeds(w http.ResponseWriter, _ *http.Request, _ map[string]string) {
	names := seed.Names()
	data := make([]any, len(names))
	for i, name := range names {
		set, _ := seed.Lookup(name)
		data[i] = map[string]any{"id": name, "type": "seeds",
			"attributes": map[string]any{"description": set.Description, "sessions": len(set.Sessions)}}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

func (c *Control) applySeed(w http.ResponseWriter, r *http.Request, params map[string]string) {
	set, ok := seed.Lookup(params["name"])
	if !ok {
		c.writeErr(w, r, notFoundf("no seed named %q; known seeds: %s", params["name"], strings.Join(seed.Names(), ", ")))
		return
	}
	ids, err := set.Apply(c.reg)
	if err != nil {
		c.writeErr(w, r, err)
		return
	}
	c.logger.InfoContext(r.Context(), "seed applied", "seed", set.Name, "count", len(ids))
	writeJSON(w, http.StatusCreated, sessionRefs(r, ids))
}
