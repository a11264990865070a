package simulator

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// realShapes are the documents of a real MaxScale 24.02.4 (a source
// build, with the configuration verify --container gives real images and
// one client session), as the JSON paths and types each holds.
type realShapes struct {
	Source string                         `json:"source"`
	Shapes map[string]map[string][]string `json:"shapes"`
}

// notInRealCapture are the paths the simulator shows that the capture
// cannot: the captured MaxScale had one server, so no replica; the
// replica's replication connection is Resources-Monitor.md's.
var notInRealCapture = []string{
	"/attributes/monitor_diagnostics/server_info/*/slave_connections/*",
}

// jsonShapes adds every JSON path of v (object keys, * for each array
// element) with the JSON type found there.
func jsonShapes(v any, path string, out map[string][]string) {
	t := "object"
	switch x := v.(type) {
	case nil:
		t = "null"
	case bool:
		t = "boolean"
	case string:
		t = "string"
	case json.Number:
		t = "integer"
		if strings.ContainsAny(x.String(), ".eE") {
			t = "real"
		}
	case []any:
		t = "array"
		for _, el := range x {
			jsonShapes(el, path+"/*", out)
		}
	case map[string]any:
		for k, el := range x {
			jsonShapes(el, path+"/"+k, out)
		}
	}
	if path == "" {
		path = "/"
	}
	if !slices.Contains(out[path], t) {
		out[path] = append(out[path], t)
	}
}

// TestShapesAreMaxScales compares each resource document the simulator
// serves with the same document of a real MaxScale 24.02.4
// (testdata/maxscale-24.02.4-shapes.json): every member the simulator
// shows is one MaxScale shows there, with a JSON type MaxScale gives it
// (null aside: a value the simulator has not got, or MaxScale had not).
// The simulator shows fewer members; it must not make any up.
func TestShapesAreMaxScales(t *testing.T) {
	data, err := os.ReadFile("testdata/maxscale-24.02.4-shapes.json")
	if err != nil {
		t.Fatal(err)
	}
	var captured realShapes
	if err := json.Unmarshal(data, &captured); err != nil {
		t.Fatal(err)
	}
	s := startSim(t, nil)
	s.dial(t, "RW-Split-Router")
	for path, want := range captured.Shapes {
		r := s.api(t, "GET", "/v1/"+path, "")
		wantStatus(t, path, r, 200, "-")
		got := map[string][]string{}
		jsonShapes(r.json(t), "", got)
		for p, types := range got {
			if slices.ContainsFunc(notInRealCapture, func(prefix string) bool { return strings.Contains(p, prefix) }) {
				continue
			}
			mxs, ok := want[p]
			if !ok {
				t.Errorf("%s: %s is not in MaxScale's document", path, p)
				continue
			}
			for _, ty := range types {
				if ty != "null" && !slices.Contains(mxs, ty) && !slices.Equal(mxs, []string{"null"}) {
					t.Errorf("%s: %s is %s, MaxScale's is %v", path, p, ty, mxs)
				}
			}
		}
	}
}
