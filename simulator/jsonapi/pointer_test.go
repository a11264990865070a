package jsonapi

import (
	"math"
	"testing"
)

func session(t testing.TB) map[string]any {
	t.Helper()
	return loadTranscript(t, baseSingle).tree(t).(map[string]any)["data"].(map[string]any)
}

func TestJSONPointer(t *testing.T) {
	row := session(t)
	tests := []struct {
		ptr    string
		want   any
		wantOK bool
	}{
		{"/attributes/user", "maxuser", true},
		{"attributes/user", "maxuser", true},
		{"//attributes///user/", "maxuser", true},
		{"id", "115", true},
		{"/relationships/services/data/0/id", "RW-Split-Router", true},
		{"/relationships/services/data/+0/id", "RW-Split-Router", true},
		{"/relationships/services/data/ 0/id", "RW-Split-Router", true},
		{"/relationships/services/data/-0/id", "RW-Split-Router", true},
		{"/relationships/services/data/1/id", nil, false},
		{"/relationships/services/data/-1/id", nil, false},
		{"/relationships/services/data/0x/id", nil, false},
		{"/relationships/services/data/id", nil, false},
		{"/relationships/services/data/99999999999999999999999/id", nil, false},
		{"/attributes/user/x", nil, false},
		{"/attributes/nosuch", nil, false},
		{"/attributes/client/connection_attributes/_os", "Linux", true},
		{"/attributes/port", int64(33954), true},
		{"/attributes/connections/0/connection_id", int64(152), true},
		{"/attributes/~0", nil, false},
	}
	for _, tc := range tests {
		got, ok := jsonPointer(row, tc.ptr)
		if ok != tc.wantOK || ok && !jsonEqual(got, tc.want) {
			t.Errorf("jsonPointer(%q) = %#v, %v; want %#v, %v", tc.ptr, got, ok, tc.want, tc.wantOK)
		}
	}
	if got, ok := jsonPointer(row, "/"); !ok || !jsonEqual(got, row) {
		t.Error(`jsonPointer("/") is not the row itself`)
	}
}

func TestStrtol(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		used int
	}{
		{"1", 1, 1}, {"1x", 1, 1}, {" 12", 12, 3}, {"+3", 3, 2}, {"-4", -4, 2}, {"abc", 0, 0}, {"", 0, 0},
		{"-", 0, 0}, {"0x10", 0, 1}, {"99999999999999999999", math.MaxInt64, 20},
		{"-99999999999999999999", math.MinInt64, 21}, {"9223372036854775807", math.MaxInt64, 19},
		{"-9223372036854775808", math.MinInt64, 20},
	}
	for _, tc := range tests {
		if got, used := strtol(tc.in); got != tc.want || used != tc.used {
			t.Errorf("strtol(%q) = %d, %d; want %d, %d", tc.in, got, used, tc.want, tc.used)
		}
	}
}

func TestJSONPath(t *testing.T) {
	row := map[string]any{
		"attributes": map[string]any{"user": "maxuser", "a.b": "dotted", "1": "one"},
		"relationships": map[string]any{"services": map[string]any{"data": []any{
			map[string]any{"id": "RW-Split-Router"}, map[string]any{"id": "Read-Connection-Router"},
		}}},
		"list": []any{"x", "y", "z"},
	}
	tests := []struct {
		path string
		want []any
	}{
		{"$.attributes.user", []any{"maxuser"}},
		{"attributes.user", []any{"maxuser"}},
		{".attributes.user", []any{"maxuser"}},
		{"$['attributes']['user']", []any{"maxuser"}},
		{"['attributes'].user", []any{"maxuser"}},
		{"$.attributes['a.b']", []any{"dotted"}},
		{"$.attributes['1']", []any{"one"}},
		{"$.attributes[1]", nil},
		{"relationships.services.data[*].id", []any{"RW-Split-Router", "Read-Connection-Router"}},
		{"relationships.services.data.*.id", []any{"RW-Split-Router", "Read-Connection-Router"}},
		{"relationships.services.data[1].id", []any{"Read-Connection-Router"}},
		{"relationships.services.data[1abc].id", []any{"Read-Connection-Router"}},
		{"relationships.services.data[2].id", nil},
		{"relationships.services.data[-1].id", nil},
		{"list[0,2]", []any{"x", "z"}},
		{"list[2,,0]", []any{"z", "x"}},
		{"list[0", nil},
		{"list.", nil},
		{"$", []any{row}},
		{"", nil},
		{"attributes.*", nil}, // checked separately: order of an object's values is not fixed
		{"$.attributes.User", nil},
		{"$.nosuch.user", nil},
		{"$.attributes.user.x", nil},
	}
	for _, tc := range tests {
		var got []any
		jsonPath(row, tc.path, func(v any) bool { got = append(got, v); return false })
		if tc.path == "attributes.*" {
			if len(got) != 3 {
				t.Errorf("jsonPath(attributes.*) found %d nodes, want 3", len(got))
			}
			continue
		}
		if !jsonEqual(got, tc.want) && (len(got) != 0 || len(tc.want) != 0) {
			t.Errorf("jsonPath(%q) = %#v, want %#v", tc.path, got, tc.want)
		}
	}
	// visit returning true stops the walk.
	n := 0
	jsonPath(row, "list[*]", func(any) bool { n++; return true })
	if n != 1 {
		t.Errorf("visit was called %d times after asking to stop", n)
	}
}
