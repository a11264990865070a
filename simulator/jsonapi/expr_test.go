package jsonapi

import (
	"strings"
	"testing"
)

func TestFilterExpressionErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"", "Empty filter expression"},
		{"foo(1)", "Not a valid filter expression: foo(1)"},
		{"true", "Not a valid filter expression: true"},
		{"null", "Not a valid filter expression: null"},
		{"and(ge(1)", "Expected ')', got ''"},
		{`eq("abc)`, `Invalid JSON: "abc)`},
		{`eq(maxuser)`, `Invalid JSON: maxuser)`},
		{`or(eq("1"), eq("2"))`, `Not a valid filter expression:  eq("2"))`},
		{"eq(1)x", "Unexpected trailing data: x"},
		{"5x", "Unexpected trailing data: x"},
		{`"a" `, `Unexpected trailing data:  `},
		{"eq 1", "Expected '(', got ' '"},
		{"eq", "Expected '(', got ''"},
		{"eq(1", "Expected ')', got ''"},
		{"eq(1]", "Expected ')', got ']'"},
		{"eq(1 )", "Expected ')', got ' '"},
		{"and()", "Not a valid filter expression: )"},
		{"and(", "Empty filter expression"},
		{"and(eq(1),)", "Not a valid filter expression: )"},
		{"nested", "Expected '(', got 's'"},
		{"EQ(1)", "Not a valid filter expression: EQ(1)"},
		{"eq(01)", "Invalid JSON: 01)"},
		{"01", "Not a valid filter expression: 01"},
		{"eq(-)", "Invalid JSON: -)"},
		{"eq(1.)", "Invalid JSON: 1.)"},
		{"eq(1e)", "Invalid JSON: 1e)"},
		{"eq(9223372036854775808)", "Invalid JSON: 9223372036854775808)"},
		{"eq(1e400)", "Invalid JSON: 1e400)"},
		{`eq("\u0000")`, `Invalid JSON: "\u0000")`},
		{`eq("\ud800")`, `Invalid JSON: "\ud800")`},
		{`eq("\x")`, `Invalid JSON: "\x")`},
		{`eq("\u12")`, `Invalid JSON: "\u12")`},
		{`eq("\u12g4")`, `Invalid JSON: "\u12g4")`},
		{`eq("\ud800\u0041")`, `Invalid JSON: "\ud800\u0041")`},
		{`eq("\udc00")`, `Invalid JSON: "\udc00")`},
		{`eq("\`, `Invalid JSON: "\`},
		{"eq(\"a\tb\")", "Invalid JSON: \"a\tb\")"},
		{`eq([1,])`, `Invalid JSON: [1,])`},
		{`eq({"a":1,})`, `Invalid JSON: {"a":1,})`},
		{`eq({1:1})`, `Invalid JSON: {1:1})`},
		{`eq(truex)`, `Invalid JSON: truex)`},
		{"eq(\"\xff\")", "Invalid JSON: \"\xff\")"},
	}
	for _, tc := range tests {
		_, err := parseFilterExpression(tc.expr)
		if err == nil || err.Error() != tc.want {
			t.Errorf("parseFilterExpression(%q) error = %v, want %q", tc.expr, err, tc.want)
		}
	}
}

func TestFilterExpressionMatches(t *testing.T) {
	obj := map[string]any{"a": []any{int64(1), map[string]any{"b": nil}}, "c": "x"}
	tests := []struct {
		expr  string
		value any
		want  bool
	}{
		{"5", int64(5), true},
		{"5", 5, true},
		{"5", 5.0, false},
		{"5", "5", false},
		{" 5", int64(5), true},
		{"eq( 5)", int64(5), true},
		{"eq(5.0)", 5.0, true},
		{"eq(5.0)", int64(5), false},
		{"eq(-0.0)", 0.0, true},
		{"eq(1e2)", 100.0, true},
		{`"maxuser"`, "maxuser", true},
		{`eq("Session started")`, "Session started", true},
		{`eq("é\u00e9")`, "éé", true},
		{`eq("\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00")`, "\"\\/\b\f\n\r\té😀", true},
		{"5", uint64(5), true},
		{"5", uint8(5), true},
		{"eq(0.5)", float32(0.5), true},
		{"9223372036854775807", uint64(18446744073709551615), false},
		{"eq(true)", true, true},
		{"eq(false)", true, false},
		{"eq(null)", nil, true},
		{"ne(1)", int64(2), true},
		{"ne(1)", "1", true},
		{"ne(1)", int64(1), false},
		{"lt(10)", int64(5), true},
		{"lt(10)", 5.0, false},
		{"lt(100)", int64(100), false},
		{"le(100)", int64(100), true},
		{"ge(100)", int64(99), false},
		{"gt(0)", "115", false},
		{"lt(0)", "115", false},
		{"le(0)", "115", true},
		{"ge(100)", "115", true},
		{`gt("50")`, "9", true},
		{`lt("a")`, "B", true},
		{"gt(5.0)", 5.5, true},
		{"gt(5)", 5.5, false},
		{"ge(0)", 0.7, true},
		{"le(null)", nil, true},
		{"lt(null)", nil, false},
		{"le([1])", []any{int64(2)}, true},
		{"not(eq(1),eq(2))", int64(3), true},
		{"not(eq(1),eq(2))", int64(2), false},
		{"and(ge(1),le(100))", "115", true},
		{"and(ge(1000000),le(1000001))", "115", true},
		{"or(eq(1),eq(5),eq(10))", "5", false},
		{"or(eq(1),eq(5),eq(10))", int64(5), true},
		{"and(gt(1),lt(3))", int64(2), true},
		{"and(gt(1),lt(3))", int64(3), false},
		{"and(or(eq(1),eq(2)),not(eq(2)))", int64(1), true},
		{`{"c":"x","a":[1,{"b":null}]}`, obj, true},
		{`{"c":"x","a":[1,{"b":0}]}`, obj, false},
		{`{"c":"x"}`, obj, false},
		{"[1,2]", []any{int64(1), int64(2)}, true},
		{"[1,2]", []any{int64(2), int64(1)}, false},
		{`["a"]`, []string{"a"}, true},
		{`{"k":"v"}`, map[string]string{"k": "v"}, true},
		{"[]", []any{}, true},
		{"{}", map[string]any{}, true},
		{"{}", []any{}, false},
	}
	for _, tc := range tests {
		m, err := parseFilterExpression(tc.expr)
		if err != nil {
			t.Errorf("parseFilterExpression(%q): %v", tc.expr, err)
			continue
		}
		if got := m(tc.value); got != tc.want {
			t.Errorf("%s matches %#v = %v, want %v", tc.expr, tc.value, got, tc.want)
		}
	}
}

// knownExprError reports whether msg is one of the parser's messages.
func knownExprError(msg string) bool {
	for _, prefix := range []string{msgNotAnExpression, msgTrailingData, msgInvalidJSON, "Expected '"} {
		if strings.HasPrefix(msg, prefix) {
			return true
		}
	}
	return msg == msgEmptyExpression
}

func FuzzFilterExpression(f *testing.F) {
	for _, seed := range []string{
		"", `"maxuser"`, "eq(1)", "and(ge(1),le(100))", "or(eq(1),eq(5),eq(10))", "not(eq(1),eq(2))",
		`eq({"a":[1,2.5,"x",null,true]})`, `or(eq("1"), eq("2"))`, "and(ge(1)", `eq("abc)`, "eq(1)x",
		`eq("\ud83d\ude00")`, "[[[[[[1]]]]]]", "eq(-0.0e-5)", "ge(0)",
	} {
		f.Add(seed, `{"id":"1","n":5,"r":0.5}`)
	}
	f.Fuzz(func(t *testing.T, expr, doc string) {
		m, err := parseFilterExpression(expr)
		if err != nil {
			if m != nil || !knownExprError(err.Error()) {
				t.Fatalf("parseFilterExpression(%q) = %v, unknown error %q", expr, m, err)
			}
			return
		}
		if v, err := Decode([]byte(doc)); err == nil {
			m(v) // must not panic
		}
	})
}

func FuzzJSONPrefix(f *testing.F) {
	for _, seed := range []string{`1`, `-0.5e+3`, `"a\"b"`, `{"a":[1,{}]}`, `[`, `tru`, ` null)`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, n, ok := parseJSONPrefix(s)
		if !ok {
			return
		}
		if n <= 0 || n > len(s) {
			t.Fatalf("parseJSONPrefix(%q) consumed %d", s, n)
		}
		// What was consumed is a complete JSON document on its own, and
		// it decodes to the same value.
		w, err := Decode([]byte(s[:n]))
		if err != nil {
			t.Fatalf("parseJSONPrefix(%q) accepted %q, Decode: %v", s, s[:n], err)
		}
		if !jsonEqual(v, w) {
			t.Fatalf("parseJSONPrefix(%q) = %#v, Decode = %#v", s, v, w)
		}
	})
}
