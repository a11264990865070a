package control

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequestBodies sends arbitrary bodies to every control operation that
// reads one: the answer is a success or a 400, never a 5xx or a panic.
func FuzzRequestBodies(f *testing.F) {
	for _, seed := range []string{
		`{"data":{"attributes":{"count":2,"port":65534,"age":"1h"}}}`,
		`{"data":{"type":"faults","attributes":{"operation":"listSessions","latency":"1ms","status":503,"detail":"x","count":1}}}`,
		`{"data":{"attributes":{"path":"/v1/[","status":500}}}`,
		`{"data":{"attributes":{"by":"90s"}}}`,
		`{"data":{"attributes":{"frozen":true}}}`,
		`{"data":{"attributes":{"parameters":{"log_info":null},"connection_attributes":{"":""}}}}`,
		`{"data":null}`, `[]`, `null`, `{`, ``,
	} {
		f.Add(seed)
	}
	fx := newFixture(f)
	c, err := New(fx.reg, fx.clock, fx.faults)
	if err != nil {
		f.Fatal(err)
	}
	targets := []struct{ method, path string }{
		{"POST", "/sim/v1/sessions"}, {"POST", "/sim/v1/faults"}, {"PATCH", "/sim/v1/clock"},
		{"POST", "/sim/v1/clock/advance"},
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, tg := range targets {
			rec := httptest.NewRecorder()
			c.ServeHTTP(rec, httptest.NewRequest(tg.method, tg.path, strings.NewReader(body)))
			if rec.Code >= http.StatusInternalServerError {
				t.Fatalf("%s %s %q: status %d %s", tg.method, tg.path, body, rec.Code, rec.Body)
			}
			if rec.Code == http.StatusBadRequest && !strings.Contains(rec.Body.String(), `"detail"`) {
				t.Fatalf("%s %s %q: 400 without a detail: %s", tg.method, tg.path, body, rec.Body)
			}
		}
		fx.reg.Reset()
		fx.faults.Clear()
	})
}
