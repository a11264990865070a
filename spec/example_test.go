package spec_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/mxharness/mxharness/spec"
)

// A PATCH that MaxScale 24.02.4 answers with 200 and no body breaks the
// documented contract (204), and is exactly the deviation the contract
// records as write-status-200.
func ExampleMatchDeviation() {
	r := httptest.NewRequest(http.MethodPatch, "/v1/sessions/5", nil)
	err := spec.ValidateResponse(context.Background(), r, http.StatusOK, http.Header{}, nil)
	fmt.Println(err)
	op, _ := spec.FindOperation(r)
	if d, ok := spec.MatchDeviation(op, http.StatusOK, nil); ok {
		fmt.Println("known deviation:", d.ID)
	}
	// Output:
	// updateSession response 200: status: not a documented status of this operation
	// known deviation: write-status-200
}

// Errors name the JSON path and the rule that was broken.
func ExampleValidateResponse() {
	r := httptest.NewRequest(http.MethodGet, "/v1/sessions/", nil)
	body := []byte(`{"data":[],"links":{"self":"http://127.0.0.1:8989/v1/sessions"}}`)
	err := spec.ValidateResponse(context.Background(), r, http.StatusOK, http.Header{"Content-Type": {"application/json"}}, body)
	fmt.Println(err)
	// Output:
	// listSessions response 200: /links/self: pattern: string doesn't match the regular expression "^https?://[^/?#]*/(v1/)?[a-z]+/([a-z]+/)?(\?page%5Bsize%5D=[0-9]+&page%5Bnumber%5D=-?[0-9]+)?$"
}
