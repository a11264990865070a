package spec

import (
	"errors"
	"strings"
	"testing"
)

// Each broken contract is one LintError: the rule it breaks and the line
// of the element it names.
func TestLintErrors(t *testing.T) {
	good := string(YAML())
	if err := Lint([]byte(good)); err != nil {
		t.Fatalf("Lint(sessions.yaml) = %v, want nil", err)
	}
	tests := []struct {
		name, text string
		rule       string
		line       int
		msg        string
	}{
		{"not YAML", "openapi: 3.0.3\npaths: [\n", "yaml", 2, "not YAML"},
		{"empty", "", "document", 1, "empty"},
		{"a scalar", "root:x:0:0:root:/root:/bin/bash\n", "document", 1, "single value (str)"},
		{"a list", "- a\n- b\n", "document", 1, "a list"},
		{"no openapi", "info: {title: t, version: '1'}\npaths: {}\n", "required", 1, "no openapi field"},
		{"version a number", "openapi: 3.0\ninfo: {title: t, version: '1'}\npaths: {}\n", "openapi-version", 1, `"3.0"`},
		{"swagger 2", "\nopenapi: '2.0'\n", "openapi-version", 2, `"2.0"`},
		{"no paths", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n", "required", 1, "no paths field"},
		{"example of the wrong type", strings.Replace(good, `"id": "115",`, `"id": 115,`, 1), "example", lineOf(good, "    get:", "/sessions/{id}:"), `GET /sessions/{id}: example observed: at "/data/id": value must be a string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var le *LintError
			if err := Lint([]byte(tt.text)); !errors.As(err, &le) {
				t.Fatalf("Lint = %v, want a *LintError", err)
			}
			if le.Rule != tt.rule || le.Line != tt.line || !strings.Contains(le.Message, tt.msg) || strings.Contains(le.Message, "\n") {
				t.Errorf("Lint = line %d, rule %s, %q; want line %d, rule %s, one line with %q", le.Line, le.Rule, le.Message, tt.line, tt.rule, tt.msg)
			}
		})
	}
}

// lineOf is the 1-based line of the first line that starts with prefix
// after the line that contains after.
func lineOf(text, prefix, after string) int {
	lines := strings.Split(text, "\n")
	seen := false
	for i, l := range lines {
		if strings.Contains(l, after) {
			seen = true
		} else if seen && strings.HasPrefix(l, prefix) {
			return i + 1
		}
	}
	return 0
}
