package simulator

import (
	"reflect"
	"slices"
	"testing"

	"github.com/mxharness/mxharness/spec"
)

// In every profile, the session documents leave out exactly the properties
// the contract records as absent for that profile's release line, in the
// single document and in each element of the collection; the others show
// them. The set comes from the contract: maxscale-23.08 has no
// seconds_alive, maxscale-24.02 and documented have it.
func TestProfilesLeaveOutTheAbsentProperties(t *testing.T) {
	profiles, err := Profiles()
	if err != nil {
		t.Fatal(err)
	}
	devs, err := spec.Deviations()
	if err != nil {
		t.Fatal(err)
	}
	checked := map[bool]bool{}
	for _, name := range profiles {
		t.Run(name, func(t *testing.T) {
			prof, err := loadProfile(name)
			if err != nil {
				t.Fatal(err)
			}
			var absent []string
			for _, d := range devs {
				if prof.observed(d.ID) {
					absent = append(absent, d.Absent...)
				}
			}
			s := startSim(t, nil, WithProfile(name))
			_, id := s.dial(t, "RW-Split-Router")
			_, _ = s.dial(t, "Read-Connection-Router")
			has := func(res any, key string) bool {
				_, ok := res.(map[string]any)["attributes"].(map[string]any)[key]
				return ok
			}
			one := s.api(t, "GET", "/v1/sessions/"+id, "").json(t)["data"]
			leaves := slices.Contains(absent, "/data/attributes/seconds_alive")
			if got := !has(one, "seconds_alive"); got != leaves {
				t.Errorf("GET /v1/sessions/%s leaves out seconds_alive = %v, want %v (absent %v)", id, got, leaves, absent)
			}
			if !has(one, "idle") || !has(one, "state") {
				t.Errorf("GET /v1/sessions/%s lost other attributes: %v", id, one)
			}
			leavesAll := slices.Contains(absent, "/data/*/attributes/seconds_alive")
			rows := s.api(t, "GET", "/v1/sessions", "").json(t)["data"].([]any)
			if len(rows) != 2 {
				t.Fatalf("%d sessions, want 2", len(rows))
			}
			for i, row := range rows {
				if got := !has(row, "seconds_alive"); got != leavesAll {
					t.Errorf("GET /v1/sessions: /data/%d/attributes/seconds_alive left out = %v, want %v", i, got, leavesAll)
				}
			}
			checked[leaves] = true
		})
	}
	if !checked[true] || !checked[false] {
		t.Errorf("profiles %v: want one that leaves seconds_alive out and one that shows it", profiles)
	}
}

func TestOmission(t *testing.T) {
	o := (*omission)(nil).with("/attributes/seconds_alive", "/attributes/connections/*/cipher", "/links", "/attributes/seconds_alive")
	if len(o.ptrs) != 3 {
		t.Errorf("ptrs = %q, want 3 (one repeated)", o.ptrs)
	}
	if !o.leaves(attributesPath, "seconds_alive") || o.leaves(attributesPath, "idle") || o.leaves(nil, "seconds_alive") {
		t.Error("leaves does not name exactly /attributes/seconds_alive")
	}
	attrs := map[string]any{"seconds_alive": 1.0, "idle": 0.0,
		"connections": []any{map[string]any{"cipher": "", "server": "server1"}, map[string]any{"cipher": "", "server": "server2"}}}
	o.apply(attrs, attributesPath...)
	want := map[string]any{"idle": 0.0,
		"connections": []any{map[string]any{"server": "server1"}, map[string]any{"server": "server2"}}}
	if !reflect.DeepEqual(attrs, want) {
		t.Errorf("attributes after apply = %v, want %v", attrs, want)
	}
	res := map[string]any{"id": "1", "links": map[string]any{}}
	o.apply(res)
	if !reflect.DeepEqual(res, map[string]any{"id": "1"}) {
		t.Errorf("resource after apply = %v", res)
	}
	var none *omission
	none.apply(res)
	if none.leaves(attributesPath, "seconds_alive") || none.with() != nil {
		t.Error("a nil omission leaves something out")
	}
}
