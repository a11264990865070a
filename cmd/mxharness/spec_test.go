package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/spec"
)

func TestSpecCommand(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	broken := strings.Replace(string(spec.YAML()), `"id": "115",`, `"id": 115,`, 1)
	if err := os.WriteFile(bad, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	passwd := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(passwd, []byte("root:x:0:0:root:/root:/bin/bash\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join("..", "..", "spec", "sessions.yaml")
	tests := []struct {
		name       string
		args       []string
		wantStatus int
		wantOut    string // prefix of stdout
		wantErr    string // substring of stderr
	}{
		{"yaml by default", []string{"spec"}, 0, "openapi: 3.0.3", ""},
		{"json", []string{"spec", "--format", "json"}, 0, "{\n", ""},
		{"control", []string{"spec", "--contract", "control"}, 0, "openapi: 3.0.3\ninfo:\n  title: mxharness simulator control API", ""},
		{"unknown format", []string{"spec", "--format", "xml"}, 2, "", `unknown format "xml"`},
		{"unknown contract", []string{"spec", "--contract", "x"}, 2, "", `unknown contract "x"`},
		{"lint valid", []string{"spec", "lint", good}, 0, good + ": valid", ""},
		{"lint invalid", []string{"spec", "lint", good, bad}, 1, good + ": valid", `: example: GET /sessions/{id}: example observed: at "/data/id": value must be a string` + "\n"},
		{"lint not a contract", []string{"spec", "lint", passwd}, 1, "", passwd + ":1: document: the document is a single value (str), not a mapping"},
		{"lint missing file", []string{"spec", "lint", "no-such.yaml"}, 1, "", "no-such.yaml:"},
		{"lint without file", []string{"spec", "lint"}, 2, "", "usage: mxharness spec lint"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			status := run(t.Context(), tc.args, &stdout, &stderr)
			if status != tc.wantStatus {
				t.Errorf("mxharness %s: status %d, want %d (stderr %q)", strings.Join(tc.args, " "), status, tc.wantStatus, stderr.String())
			}
			if !strings.HasPrefix(stdout.String(), tc.wantOut) {
				t.Errorf("stdout starts %.80q, want %q", stdout.String(), tc.wantOut)
			}
			if !strings.Contains(stderr.String(), tc.wantErr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tc.wantErr)
			}
			// One line per file, in the contract's terms: none of the
			// YAML decoder's or kin-openapi's internals.
			if tc.wantStatus == 1 && (strings.Count(stderr.String(), "\n") != 1 ||
				regexp.MustCompile(`openapi3\.T|yaml error|unmarshal|Schema:|Value:`).MatchString(stderr.String())) {
				t.Errorf("stderr is not one line in the contract's terms:\n%s", stderr.String())
			}
		})
	}
}

func TestSpecCommandJSONIsTheContract(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if status := run(t.Context(), []string{"spec", "--format", "json"}, &stdout, &stderr); status != 0 {
		t.Fatalf("status %d: %s", status, stderr.String())
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.0.3" || doc.Paths["/sessions/{id}"] == nil {
		t.Errorf("JSON output is not the sessions contract: openapi %q, %d paths", doc.OpenAPI, len(doc.Paths))
	}
}
