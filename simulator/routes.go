package simulator

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/mxharness/mxharness/spec"
)

// template is one path of the contract for one method, split in segments;
// a segment in braces is a variable.
type template struct {
	method string
	segs   []string
	opID   string
}

// templates lists the contract's paths by method, for variableRoute.
func templates() ([]template, error) {
	doc, err := spec.Load()
	if err != nil {
		return nil, fmt.Errorf("simulator routes: %w", err)
	}
	var out []template
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			out = append(out, template{method: method, segs: strings.Split(strings.Trim(path, "/"), "/"), opID: op.OperationID})
		}
	}
	return out, nil
}

// variableRoute is MaxScale's fallback when no route matches: a route of
// the same method with as many segments, differing only where it has
// variables, takes the request, so that its placeholder check answers
// (`GET /v1/sessions/restart` → 404 "restart is not a session", where the
// contract's router saw only the POST of /sessions/restart).
func (s *Server) variableRoute(r *http.Request, method string) (opID string, params map[string]string) {
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(segs) > 0 && segs[0] == "v1" {
		segs = segs[1:]
	}
	if method == http.MethodHead {
		method = http.MethodGet
	}
next:
	for _, t := range s.templates {
		if t.method != method || len(t.segs) != len(segs) {
			continue
		}
		params = map[string]string{}
		for i, seg := range t.segs {
			if name, ok := strings.CutPrefix(seg, "{"); ok {
				params[strings.TrimSuffix(name, "}")] = segs[i]
			} else if seg != segs[i] {
				continue next
			}
		}
		return t.opID, params
	}
	return "", nil
}
