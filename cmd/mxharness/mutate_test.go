package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/mutate"
)

func TestMutateCommand(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantStatus int
		wantLast   string // last line of stdout
		wantErr    string // substring of stderr
	}{
		{"one mutant, killed", []string{"mutate", "--run", "^port-as-string$"}, 0, "killed 1/1 mutants", ""},
		{"list", []string{"mutate", "--list"}, 0, "", ""},
		{"bad regexp", []string{"mutate", "--run", "("}, 2, "", "--run: error parsing regexp"},
		{"no mutant matches", []string{"mutate", "--run", "^nosuch$"}, 2, "", `matches no mutant`},
		{"ledger without api", []string{"mutate", "--ledger", "maxscale-24.02"}, 2, "", "--ledger needs --api"},
		{"api without sql", []string{"mutate", "--api", "http://127.0.0.1:1"}, 2, "", "--api needs --sql"},
		{"unreachable api", []string{"mutate", "--api", "http://127.0.0.1:1", "--sql", "127.0.0.1:1"}, 2, "", "cannot reach the REST API"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := run(t.Context(), tc.args, &stdout, &stderr); got != tc.wantStatus {
				t.Fatalf("%v: status %d, want %d; stdout:\n%s\nstderr:\n%s", tc.args, got, tc.wantStatus, &stdout, &stderr)
			}
			lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
			if tc.wantLast != "" && lines[len(lines)-1] != tc.wantLast {
				t.Errorf("%v: last line %q, want %q", tc.args, lines[len(lines)-1], tc.wantLast)
			}
			if !strings.Contains(stderr.String(), tc.wantErr) {
				t.Errorf("%v: stderr %q, want it to contain %q", tc.args, &stderr, tc.wantErr)
			}
			if tc.name == "list" && len(lines) != len(mutate.Mutants)+1 {
				t.Errorf("--list printed %d lines, want a header and %d mutants", len(lines), len(mutate.Mutants))
			}
		})
	}
}
