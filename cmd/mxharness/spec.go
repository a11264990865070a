package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/mxharness/mxharness/spec"
)

func init() {
	commands["spec"] = command{
		summary: "print the embedded OpenAPI contract; 'spec lint FILE...' validates contract files",
		run:     runSpec,
	}
}

// contracts are the embedded contracts `spec --contract` can print.
var contracts = map[string]struct {
	yaml func() []byte
	json func() ([]byte, error)
}{
	"sessions": {spec.YAML, spec.JSON},
	"control":  {spec.ControlYAML, spec.ControlJSON},
}

const specUsage = `usage: mxharness spec [--format yaml|json] [--contract sessions|control]
       mxharness spec lint FILE...
`

func runSpec(_ context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "lint" {
		return runSpecLint(args[1:], stdout, stderr)
	}
	fs := newFlagSet("spec", specUsage, stderr)
	format := fs.String("format", "yaml", "output format: yaml (as embedded) or json")
	contract := fs.String("contract", "sessions", "which contract: sessions (MaxScale's REST API) or control (the simulator's control API)")
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return 2
	}
	c, ok := contracts[*contract]
	if !ok {
		fmt.Fprintf(stderr, "mxharness spec: unknown contract %q (want sessions or control)\n", *contract)
		return 2
	}
	var out []byte
	switch *format {
	case "yaml":
		out = c.yaml()
	case "json":
		js, err := c.json()
		if err != nil {
			fmt.Fprintf(stderr, "mxharness spec: %v\n", err)
			return 1
		}
		var buf bytes.Buffer
		if err := json.Indent(&buf, js, "", "  "); err != nil {
			fmt.Fprintf(stderr, "mxharness spec: %v\n", err)
			return 1
		}
		out = append(buf.Bytes(), '\n')
	default:
		fmt.Fprintf(stderr, "mxharness spec: unknown format %q (want yaml or json)\n", *format)
		return 2
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintf(stderr, "mxharness spec: %v\n", err)
		return 1
	}
	return 0
}

// runSpecLint validates each contract file and reports every one that
// fails; the exit status is 1 if any did.
func runSpecLint(files []string, stdout, stderr io.Writer) int {
	if len(files) == 0 {
		fmt.Fprintln(stderr, "usage: mxharness spec lint FILE...")
		return 2
	}
	status := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", f, unwrapPath(err))
			status = 1
			continue
		}
		// FILE:LINE: RULE: what is wrong, as compilers and linters write it.
		var le *spec.LintError
		if err := spec.Lint(data); errors.As(err, &le) {
			fmt.Fprintf(stderr, "%s:%d: %s: %s\n", f, le.Line, le.Rule, le.Message)
			status = 1
			continue
		} else if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", f, err)
			status = 1
			continue
		}
		fmt.Fprintf(stdout, "%s: valid\n", f)
	}
	return status
}
