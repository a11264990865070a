package steps

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// sessionSteps look at the sessions of this scenario's clients as an
// operator would. They always use the target's admin account, whatever
// credentials the scenario is using for its own requests, and the response
// they get becomes the last response.
func sessionSteps() []stepDef {
	return []stepDef{
		def(`^the session of client "([^"]+)" exists$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			_, err := s.getSession(ctx, a[0])
			return err
		}),
		def(`^the session of client "([^"]+)" no longer exists$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			return s.sessionGone(ctx, a[0])
		}),
		def(`^within (\d+) seconds the session of client "([^"]+)" no longer exists$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			return poll(ctx, seconds(a[0]), func() error { return s.sessionGone(ctx, a[1]) })
		}),
		def(`^of my clients, the response lists (?:only )?(.+)$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			return s.listsOnly(a[0])
		}),
		def(`^within (\d+) seconds of my clients, GET "([^"]+)" lists (?:only )?(.+)$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			return poll(ctx, seconds(a[0]), func() error {
				if _, err := s.send(ctx, request{method: http.MethodGet, path: a[1], admin: true}); err != nil {
					return err
				}
				return s.listsOnly(a[2])
			})
		}),
		def(`^the listed session of client "([^"]+)" has the (value|link) "(.*)" at "([^"]+)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			el, err := s.listed(a[0])
			if err != nil {
				return err
			}
			want, err := s.expand(a[2])
			if err != nil {
				return err
			}
			if a[1] == "link" {
				want = strings.TrimSuffix(s.target.APIURL, "/") + want
			}
			v, err := pointerGet(el, a[3])
			if err != nil {
				return fmt.Errorf("the listed session of client %q has nothing at %s: %w", a[0], a[3], err)
			}
			if v != want {
				return fmt.Errorf("the listed session of client %q has %s at %s, want %q", a[0], describe(v), a[3], want)
			}
			return nil
		}),
		def(`^every listed session has exactly the attributes "([^"]*)"$`, func(_ context.Context, s *scenario, a []string, _ string) error {
			data, err := s.listedData()
			if err != nil {
				return err
			}
			for i, el := range data {
				attrs, _ := pointerGet(el, "/attributes")
				if err := exactKeys(attrs, commaList(a[0])); err != nil {
					return fmt.Errorf("session %d of the list: attributes %w", i, err)
				}
			}
			return nil
		}),
		def(`^I note the backend connection ids of client "([^"]+)"$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			ids, err := s.backendIDs(ctx, a[0])
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				return fmt.Errorf("the session of client %q has no backend connections", a[0])
			}
			s.backends[a[0]] = ids
			return nil
		}),
		def(`^the backend connection ids of client "([^"]+)" (have changed|are unchanged)$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			before, ok := s.backends[a[0]]
			if !ok {
				return fmt.Errorf("the backend connection ids of client %q were not noted", a[0])
			}
			now, err := s.backendIDs(ctx, a[0])
			if err != nil {
				return err
			}
			if a[1] == "are unchanged" {
				if !slices.Equal(before, now) {
					return fmt.Errorf("backend connection ids of client %q are %v, were %v", a[0], now, before)
				}
				return nil
			}
			if len(now) == 0 || slices.ContainsFunc(now, func(id int64) bool { return slices.Contains(before, id) }) {
				return fmt.Errorf("backend connection ids of client %q are %v, were %v: want all new connections", a[0], now, before)
			}
			return nil
		}),
		def(`^the session of client "([^"]+)" uses the filters "([^"]*)"$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			got, err := s.sessionFilters(ctx, a[0])
			if err != nil {
				return err
			}
			if want := commaList(a[1]); !slices.Equal(got, want) {
				return fmt.Errorf("the session of client %q uses the filters %v, want %v", a[0], got, want)
			}
			return nil
		}),
		def(`^the session of client "([^"]+)" uses no session filters$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			got, err := s.sessionFilters(ctx, a[0])
			if err != nil {
				return err
			}
			if len(got) > 0 {
				return fmt.Errorf("the session of client %q uses the filters %v, want none", a[0], got)
			}
			return nil
		}),
		def(`^the session parameter "([^"]+)" of client "([^"]+)" is (true|false)$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			if _, err := s.getSession(ctx, a[1]); err != nil {
				return err
			}
			return s.checkValue("/data/attributes/parameters/"+a[0], func(v any) error {
				if v != (a[2] == "true") {
					return fmt.Errorf("is %s, want %s", describe(v), a[2])
				}
				return nil
			})
		}),
		def(`^the session of client "([^"]+)" has no parameter "([^"]+)"$`, func(ctx context.Context, s *scenario, a []string, _ string) error {
			if _, err := s.getSession(ctx, a[0]); err != nil {
				return err
			}
			if v, err := s.valueAt("/data/attributes/parameters/" + a[1]); err == nil {
				return fmt.Errorf("the session of client %q has the parameter %s = %s, want none", a[0], a[1], describe(v))
			}
			return nil
		}),
	}
}

// getSession fetches the session of client name as the admin user and
// checks that it is there.
func (s *scenario) getSession(ctx context.Context, name string) (*response, error) {
	c, err := s.client(name)
	if err != nil {
		return nil, err
	}
	r, err := s.send(ctx, request{method: http.MethodGet, path: "/v1/sessions/" + c.id, admin: true})
	if err != nil {
		return nil, err
	}
	if r.status != http.StatusOK {
		return nil, fmt.Errorf("the session of client %q (id %s): GET answers %d, want 200; body: %.300q", name, c.id, r.status, r.body)
	}
	if id, _ := pointerGet(r.doc, "/data/id"); id != c.id {
		return nil, fmt.Errorf("GET /v1/sessions/%s returned the session %s", c.id, describe(id))
	}
	return r, nil
}

// sessionGone checks that GET on the session of client name answers 404.
func (s *scenario) sessionGone(ctx context.Context, name string) error {
	c, err := s.client(name)
	if err != nil {
		return err
	}
	r, err := s.send(ctx, request{method: http.MethodGet, path: "/v1/sessions/" + c.id, admin: true})
	if err != nil {
		return err
	}
	if r.status != http.StatusNotFound {
		return fmt.Errorf("the session of client %q (id %s): GET answers %d, want 404: %w", name, c.id, r.status, errStillThere)
	}
	return nil
}

// listedData returns the data array of the last response.
func (s *scenario) listedData() ([]any, error) {
	v, err := s.valueAt("/data")
	if err != nil {
		return nil, err
	}
	data, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("/data is %s, want an array of sessions", describe(v))
	}
	return data, nil
}

// listed returns the element of the last response's data for client name.
func (s *scenario) listed(name string) (any, error) {
	c, err := s.client(name)
	if err != nil {
		return nil, err
	}
	data, err := s.listedData()
	if err != nil {
		return nil, err
	}
	for _, el := range data {
		if id, _ := pointerGet(el, "/id"); id == c.id {
			return el, nil
		}
	}
	return nil, fmt.Errorf("the response does not list the session of client %q (id %s)", name, c.id)
}

// listsOnly checks which of this scenario's clients the last response lists:
// exactly the quoted names in want ("none" for no client). Sessions of other
// clients are ignored, so scenarios can run side by side.
func (s *scenario) listsOnly(want string) error {
	wantNames := quoted(want)
	if len(wantNames) == 0 && strings.TrimSpace(want) != "none" {
		return fmt.Errorf("no client names in %q", want)
	}
	data, err := s.listedData()
	if err != nil {
		return err
	}
	ids := map[string]bool{}
	for _, el := range data {
		if id, ok := el.(map[string]any)["id"].(string); ok {
			ids[id] = true
		}
	}
	var got []string
	for _, n := range s.order {
		if ids[s.clients[n].id] {
			got = append(got, n)
		}
	}
	if !slices.Equal(sortedCopy(got), sortedCopy(wantNames)) {
		return fmt.Errorf("of my clients %v, the response lists %v, want %v (%d sessions listed in all)", s.order, got, wantNames, len(data))
	}
	return nil
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// backendIDs returns the connection ids of the session's backend
// connections, in the order the session lists them.
func (s *scenario) backendIDs(ctx context.Context, name string) ([]int64, error) {
	if _, err := s.getSession(ctx, name); err != nil {
		return nil, err
	}
	v, err := s.valueAt("/data/attributes/connections")
	if err != nil {
		return nil, err
	}
	conns, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("connections is %s, want an array", describe(v))
	}
	ids := make([]int64, 0, len(conns))
	for i, c := range conns {
		id, err := pointerGet(c, "/connection_id")
		n, ok := id.(int64)
		if err != nil || !ok {
			return nil, fmt.Errorf("connections/%d/connection_id is %s, want an integer", i, describe(id))
		}
		ids = append(ids, n)
	}
	return ids, nil
}

// sessionFilters returns the ids in the session's filters relationship, in
// order; a missing relationship is an empty list.
func (s *scenario) sessionFilters(ctx context.Context, name string) ([]string, error) {
	r, err := s.getSession(ctx, name)
	if err != nil {
		return nil, err
	}
	v, err := pointerGet(r.doc, "/data/relationships/filters/data")
	if err != nil {
		return nil, nil
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("relationships/filters/data is %s, want an array", describe(v))
	}
	ids := make([]string, 0, len(arr))
	for i, e := range arr {
		id, _ := pointerGet(e, "/id")
		str, ok := id.(string)
		if !ok {
			return nil, fmt.Errorf("relationships/filters/data/%d/id is %s, want a string", i, describe(id))
		}
		ids = append(ids, str)
	}
	return ids, nil
}
