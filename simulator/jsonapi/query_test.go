package jsonapi

import (
	"slices"
	"testing"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		raw      string
		key      string
		want     string
		wantOK   bool
		wantKeys []string
	}{
		{"pretty=false", "pretty", "false", true, []string{"pretty"}},
		{"PRETTY=False", "pretty", "False", true, []string{"pretty"}},
		{"pretty", "pretty", "", true, []string{"pretty"}},
		{"pretty=", "pretty", "", true, []string{"pretty"}},
		{"a=1&a=2", "a", "1", true, []string{"a"}},
		{"A=1&a=2", "a", "1", true, []string{"a"}},
		{"fields%5BSESSIONS%5D=User,State", "fields[sessions]", "User,State", true, []string{"fields[sessions]"}},
		{"filter[$.Attributes.User]=eq(%22X%22)", "filter[$.attributes.user]", `eq("X")`, true, []string{"filter[$.attributes.user]"}},
		{"filter=id=eq(%22a%20b%22)", "filter", `id=eq("a b")`, true, []string{"filter"}},
		{"x=a+b", "x", "a b", true, []string{"x"}},
		{"x=100%&y=%zz", "x", "100%", true, []string{"x", "y"}},
		{"x=%4", "x", "%4", true, []string{"x"}},
		{"a&&b=2", "b", "2", true, []string{"a", "b"}},
		{"", "a", "", false, nil},
	}
	for _, tc := range tests {
		q := ParseQuery(tc.raw)
		got, ok := q.Get(tc.key)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("ParseQuery(%q).Get(%q) = %q, %v; want %q, %v", tc.raw, tc.key, got, ok, tc.want, tc.wantOK)
		}
		if !slices.Equal(q.Keys(), tc.wantKeys) {
			t.Errorf("ParseQuery(%q).Keys() = %q, want %q", tc.raw, q.Keys(), tc.wantKeys)
		}
	}
}

func TestTruthy(t *testing.T) {
	tests := []struct {
		in            string
		value, wantOK bool
	}{
		{"true", true, true}, {"TRUE", true, true}, {"On", true, true}, {"yes", true, true}, {"1", true, true},
		{"false", false, true}, {"Off", false, true}, {"NO", false, true}, {"0", false, true},
		{"", false, false}, {"banana", false, false}, {"2", false, false}, {" true", false, false},
	}
	for _, tc := range tests {
		if v, ok := Truthy(tc.in); v != tc.value || ok != tc.wantOK {
			t.Errorf("Truthy(%q) = %v, %v; want %v, %v", tc.in, v, ok, tc.value, tc.wantOK)
		}
	}
}

// TestPrettyTranscripts: 067 false, 068 true, 069 off, 070 banana, 071
// false on the collection; the body layout tells which one MaxScale used.
func TestPrettyTranscripts(t *testing.T) {
	for _, name := range []string{"003-get-one", "067-pretty-false", "068-pretty-true", "069-pretty-off",
		"070-pretty-banana", "071-pretty-false-collection"} {
		tr := loadTranscript(t, name)
		indented := tr.body[0] == '{' && tr.body[1] == '\n'
		if got := Pretty(ParseQuery(tr.query())); got != indented {
			t.Errorf("%s: Pretty = %v, body indented = %v", name, got, indented)
		}
	}
	if !Pretty(ParseQuery("pretty")) {
		t.Error("Pretty(?pretty) = false, want true")
	}
}
