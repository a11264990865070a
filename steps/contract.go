package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/mxharness/mxharness/spec"
)

// contract checks responses against the OpenAPI contract in package spec.
type contract struct{}

// contractError lists where a response departs from the contract and, when
// the contract's x-observed entries explain all of it, the deviation ids
// (one recorded response, or the recorded absences of properties).
type contractError struct {
	problems   []string
	deviations []string
}

func (e *contractError) Error() string {
	msg := strings.Join(e.problems, "; ")
	switch len(e.deviations) {
	case 0:
	case 1:
		msg += " (the contract records this as deviation " + e.deviations[0] + ")"
	default:
		msg += " (the contract records this as deviations " + strings.Join(e.deviations, ", ") + ")"
	}
	return msg
}

// newContract loads the contract once, so that a broken contract stops the
// run before any scenario instead of failing every step.
func newContract() (*contract, error) {
	if _, err := spec.Load(); err != nil {
		return nil, fmt.Errorf("load the contract: %w", err)
	}
	return &contract{}, nil
}

// check validates one response. It returns nil when the response conforms,
// and also when the contract has no operation for the request (a health
// check, OPTIONS, HEAD, a method a path does not support): the contract
// cannot judge those, the scenarios' own steps do. A departure is named by
// the x-observed entries that explain all of it, if some do; where several
// would, the ones known (the run's ledger lists) are chosen.
func (c *contract) check(ctx context.Context, req *http.Request, r *response, known func(id string) bool) *contractError {
	err := spec.ValidateResponse(ctx, req, r.status, r.header, r.body)
	if err == nil {
		return nil
	}
	var ve *spec.ValidationError
	if !errors.As(err, &ve) {
		return &contractError{problems: []string{err.Error()}}
	}
	if ve.Operation == "" {
		return nil
	}
	ce := &contractError{}
	for _, p := range ve.Problems {
		ce.problems = append(ce.problems, p.String())
	}
	if ids, ok := spec.ExplainProblems(ve.Operation, r.status, r.body, ve.Problems, known); ok {
		ce.deviations = ids
	}
	return ce
}
