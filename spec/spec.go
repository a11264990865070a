// Package spec holds the OpenAPI contract of MaxScale 24.02's session
// resource (sessions.yaml, embedded) and the machinery the simulator and the
// suite share around it: loading and validating the contract once, a router
// that finds an operation the way MaxScale routes, request and response
// validation with errors that name the JSON path and the rule, and the
// machine-readable record of where MaxScale 24.02.4 departs from its
// documentation (x-observed, see Deviations).
//
// Every *openapi3.T this package returns is shared: treat it as read-only.
package spec

import (
	"context"
	_ "embed"
	"fmt"
	"slices"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// sessionsYAML is the contract of MaxScale's REST API for sessions.
//
//go:embed sessions.yaml
var sessionsYAML []byte

// YAML returns the sessions contract as embedded. The caller must not modify
// the slice.
func YAML() []byte { return sessionsYAML }

// Load parses and validates the sessions contract (examples and x-observed
// records included) once and returns the shared document.
func Load() (*openapi3.T, error) { return loadSessions() }

var loadSessions = sync.OnceValues(func() (*openapi3.T, error) {
	return parse("sessions.yaml", sessionsYAML)
})

// JSON returns the sessions contract as JSON.
func JSON() ([]byte, error) { return marshalJSON(Load, "sessions.yaml") }

// marshalJSON renders the contract that load returns as JSON.
func marshalJSON(load func() (*openapi3.T, error), name string) ([]byte, error) {
	doc, err := load()
	if err != nil {
		return nil, err
	}
	out, err := doc.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("marshal %s as JSON: %w", name, err)
	}
	return out, nil
}

// OperationIDs returns the operationIds of the sessions contract, sorted;
// nil if the contract does not load (Load says why).
func OperationIDs() []string {
	doc, err := Load()
	if err != nil {
		return nil
	}
	return operationIDs(doc)
}

func operationIDs(doc *openapi3.T) []string {
	var ids []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID != "" {
				ids = append(ids, op.OperationID)
			}
		}
	}
	slices.Sort(ids)
	return ids
}

// parse loads one contract from data and validates it completely. name only
// labels errors. Every contract of this package (sessions.yaml,
// control.yaml) goes through here, so a new one needs only an embed and a
// sync.OnceValues around parse.
func parse(name string, data []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("validate %s: %w", name, err)
	}
	if _, err := deviations(doc); err != nil {
		return nil, fmt.Errorf("validate %s: %w", name, err)
	}
	return doc, nil
}
