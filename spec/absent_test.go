package spec

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// A session document without seconds_alive, single or in a collection,
// breaks the contract and is explained by no-seconds-alive alone; a
// document that lacks another property too is not explained.
func TestExplainProblemsAbsent(t *testing.T) {
	attrs := func(res any) map[string]any { return res.(map[string]any)["attributes"].(map[string]any) }
	tests := []struct {
		name, target, example string
		mutate                func(m map[string]any)
		want                  []string // nil: not explained
	}{
		{name: "session without seconds_alive", target: "/v1/sessions/115", example: "ObservedSession",
			mutate: func(m map[string]any) { delete(attrs(m["data"]), "seconds_alive") },
			want:   []string{"no-seconds-alive"}},
		{name: "collection without seconds_alive", target: "/v1/sessions", example: "ObservedSessionCollection",
			mutate: func(m map[string]any) {
				for _, r := range m["data"].([]any) {
					delete(attrs(r), "seconds_alive")
				}
			},
			want: []string{"no-seconds-alive"}},
		{name: "session without seconds_alive and state", target: "/v1/sessions/115", example: "ObservedSession",
			mutate: func(m map[string]any) { delete(attrs(m["data"]), "seconds_alive"); delete(attrs(m["data"]), "state") }},
		{name: "session without state", target: "/v1/sessions/115", example: "ObservedSession",
			mutate: func(m map[string]any) { delete(attrs(m["data"]), "state") }},
		{name: "seconds_alive of the wrong type", target: "/v1/sessions/115", example: "ObservedSession",
			mutate: func(m map[string]any) { attrs(m["data"])["seconds_alive"] = "1" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := example(t, tc.example)
			tc.mutate(m)
			body, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			r := newRequest(t, "GET", tc.target, "", nil)
			ve, ok := ValidateResponse(t.Context(), r, 200, jsonHeader(), body).(*ValidationError)
			if !ok {
				t.Fatalf("ValidateResponse: want a *ValidationError for a document that lacks a required property")
			}
			ids, ok := ExplainProblems(ve.Operation, 200, body, ve.Problems, nil)
			if !slices.Equal(ids, tc.want) || ok != (tc.want != nil) {
				t.Errorf("ExplainProblems(%s, %q) = %v, %v; want %v", ve.Operation, ve.Problems, ids, ok, tc.want)
			}
		})
	}
	if ids, ok := ExplainProblems("getSession", 200, nil, nil, nil); ok || ids != nil {
		t.Errorf("ExplainProblems with no problem = %v, %v; want nothing", ids, ok)
	}
	if ids, ok := ExplainProblems("updateSession", 200, []byte(`{}`), []Problem{{Path: "/data/attributes/seconds_alive", Rule: "required"}}, nil); ok {
		t.Errorf("ExplainProblems(updateSession) = %v: no-seconds-alive concerns getSession and listSessions only", ids)
	}
}

func TestPointerMatches(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		{"/data/attributes/seconds_alive", "/data/attributes/seconds_alive", true},
		{"/data/*/attributes/seconds_alive", "/data/0/attributes/seconds_alive", true},
		{"/data/*/attributes/seconds_alive", "/data/17/attributes/seconds_alive", true},
		{"/data/*/attributes/seconds_alive", "/data/attributes/seconds_alive", false},
		{"/data/*/attributes/seconds_alive", "/data/x/attributes/seconds_alive", false},
		{"/data/*/attributes/seconds_alive", "/data/01/attributes/seconds_alive", false},
		{"/data/attributes/seconds_alive", "/data/attributes/idle", false},
		{"/data/attributes/seconds_alive", "/data/attributes", false},
	}
	for _, tc := range tests {
		if got := PointerMatches(tc.pattern, tc.path); got != tc.want {
			t.Errorf("PointerMatches(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
}

// An absent record must name required properties of the documents of its
// operations, and no status.
func TestLintAbsent(t *testing.T) {
	good := string(YAML())
	const rec = "          absent: [/data/attributes/seconds_alive, /data/*/attributes/seconds_alive]\n"
	if !strings.Contains(good, rec) {
		t.Fatalf("the contract has no record with %q", rec)
	}
	tests := []struct{ name, absent, msg string }{
		{"undocumented property", "[/data/attributes/age, /data/*/attributes/seconds_alive]", `absent "/data/attributes/age" is not a required property`},
		{"optional property", "[/data/attributes/user, /data/*/attributes/seconds_alive]", `absent "/data/attributes/user" is not a required property`},
		{"not a pointer", "[data/attributes/seconds_alive, /data/*/attributes/seconds_alive]", `absent "data/attributes/seconds_alive"`},
		{"one operation left out", "[/data/attributes/seconds_alive]", "absent names no property of the documents of listSessions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(good, rec, "          absent: "+tc.absent+"\n", 1)
			err := Lint([]byte(bad))
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Lint = %v, want an x-observed error with %q", err, tc.msg)
			}
		})
	}
	bad := strings.Replace(good, rec, rec+"          status: 200\n          emptyBody: true\n", 1)
	if err := Lint([]byte(bad)); err == nil || !strings.Contains(err.Error(), "give no status") {
		t.Errorf("Lint of an absent record with a status = %v, want an error", err)
	}
}
