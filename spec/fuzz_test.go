package spec

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// FuzzValidateResponse: any body, status and sparse fieldset gives nil or a
// *ValidationError, never a panic.
func FuzzValidateResponse(f *testing.F) {
	f.Add("/v1/sessions/5", 200, []byte(`{"data":{"id":"5"}}`))
	f.Add("/v1/sessions?fields[sessions]=user", 200, []byte(`{"data":[{"attributes":{"user":1}}],"links":{}}`))
	f.Add("/v1/sessions/5", 404, []byte(`{"errors":[]}`))
	f.Add("/v1/sessions/5?fields[sessions]=x", 200, []byte(`not json`))
	f.Fuzz(func(t *testing.T, target string, status int, body []byte) {
		r, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:8989"+target, nil)
		if err != nil {
			t.Skip()
		}
		err = ValidateResponse(t.Context(), r, status, http.Header{"Content-Type": {"application/json"}}, body)
		var ve *ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Errorf("ValidateResponse(%q, %d, %q) = %T %v, want a *ValidationError", target, status, body, err, err)
		}
	})
}

// TestValidateConcurrently runs validations in parallel (the router, the
// deviation records and the relaxed schemas are shared).
func TestValidateConcurrently(t *testing.T) {
	sparse := []byte(`{"data":[{"attributes":{"user":"maxuser"},"id":"5","links":{"self":"http://h/v1/sessions/5/"},"type":"sessions"}],"links":{"self":"http://h/v1/sessions/"}}`)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/v1/sessions?fields[sessions]=user", nil)
				if err := ValidateResponse(t.Context(), r, 200, jsonHeader(), sparse); err != nil {
					t.Error(err)
					return
				}
				if _, ok := MatchDeviation("updateSession", 200, nil); !ok {
					t.Error("write-status-200 not matched")
					return
				}
			}
		})
	}
	wg.Wait()
}
