package simulator

import (
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/mxharness/mxharness/simulator/session"
)

// BenchmarkServe10k serves collection GETs of 10,000 idle sessions in
// process into a writer that drops the body, so that what is measured is
// the simulator's own work (no socket, no client; the recorder of
// benchGet doubles its buffer up to 32 MB on every GET). It reports the
// process's CPU time per request (cpu-ns/op), garbage collector and
// helper goroutines included: on a shared machine far steadier than wall
// time. To compare with an older tree, copy this file into it.
//
// The *-after-a-change cases PATCH one session before each GET: the
// registry's version moves, so the body kept for the query (keptKey) is
// not served and the rows are shaped and encoded, as after any change (a
// GET all is then streamed: it is kept only when asked for again).
func BenchmarkServe10k(b *testing.B) {
	srv := manySessions(b, 10000)
	h := srv.Handler()
	const fields = "/v1/sessions?fields[sessions]=user,state,client/connection_attributes/_client_name"
	on := false
	change := func() {
		on = !on
		if err := srv.Registry().Patch("1", session.Update{Parameters: map[string]bool{"log_info": on}}); err != nil {
			b.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name, path string
		before     func()
	}{
		{"all", "/v1/sessions", nil},
		{"all-after-a-change", "/v1/sessions", change},
		{"fields", fields, nil},
		{"fields-after-a-change", fields, change},
		{"filter", "/v1/sessions?filter=/attributes/user=%22maxuser%22", nil},
		{"filter-jsonpath", "/v1/sessions?filter[relationships.services.data[*].id]=eq(%22Read-Connection-Router%22)", nil},
		{"page", "/v1/sessions?page[size]=100&page[number]=3", nil},
		{"page-after-a-change", "/v1/sessions?page[size]=100&page[number]=3", change},
	} {
		b.Run(tc.name, func(b *testing.B) {
			get := func() {
				if tc.before != nil {
					tc.before()
				}
				req := httptest.NewRequest("GET", tc.path, nil)
				req.SetBasicAuth("admin", "mariadb")
				w := &droppingWriter{header: http.Header{}}
				h.ServeHTTP(w, req)
				if w.status != http.StatusOK {
					b.Fatalf("GET %s: %d", tc.path, w.status)
				}
			}
			get() // the steady state of a polled server: parts kept, then frozen
			get()
			b.ReportAllocs()
			start := processCPU()
			for b.Loop() {
				get()
			}
			b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

// droppingWriter is a ResponseWriter that keeps the status and drops the
// body.
type droppingWriter struct {
	header http.Header
	status int
}

func (w *droppingWriter) Header() http.Header         { return w.header }
func (w *droppingWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *droppingWriter) WriteHeader(status int)      { w.status = status }

// processCPU is the user and system CPU time the process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru) // RUSAGE_SELF cannot fail
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
