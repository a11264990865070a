package simulator_test

import (
	"fmt"
	"math"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/simulator"
	"github.com/mxharness/mxharness/simulator/config"
	"github.com/mxharness/mxharness/simulator/seed"
)

// fuzzSim is a simulator without sockets: the fuzzers call its handler
// directly, so that each input costs microseconds.
type fuzzSim struct {
	srv *simulator.Server
	h   http.Handler
}

func newFuzzSim(f *testing.F) *fuzzSim {
	f.Helper()
	srv, err := simulator.New(config.Default())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(srv.Close)
	return &fuzzSim{srv: srv, h: srv.Handler()}
}

// session creates a synthetic session and returns its id.
func (s *fuzzSim) session(t *testing.T) string {
	t.Helper()
	id, err := s.srv.Registry().CreateSynthetic(seed.Session{Service: "RW-Split-Router", User: "maxuser",
		Remote: "127.0.0.1", ConnectionAttributes: map[string]string{"_client_name": "fuzz"}})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// do serves one request as the admin user. A handler panic fails the fuzz
// input by itself; a 5xx is failed here.
func (s *fuzzSim) do(t *testing.T, method, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, "http://127.0.0.1:8989"+target, strings.NewReader(body))
	req.SetBasicAuth("admin", "mariadb")
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s with body %q: %d %s", method, target, body, rec.Code, rec.Body.Bytes())
	}
	return rec
}

// FuzzPatchBody sends arbitrary bodies to both PATCH operations of a
// session: MaxScale answers them 200 or 400 (invalid JSON, unknown filter,
// wrong types); never a 5xx, never a panic, and the session stays
// readable.
func FuzzPatchBody(f *testing.F) {
	for _, seed := range []string{
		`{"data":{"attributes":{"parameters":{"log_info":true}}}}`,
		`{"data":{"attributes":{"parameters":{"log_info":"yes","log_debug":1}}}}`,
		`{"data":{"relationships":{"filters":{"data":[{"id":"my-hint-filter","type":"filters"}]}}}}`,
		`{"data":{"relationships":{"filters":{"data":[{"id":"nope"}]}}}}`,
		`{"data":{"relationships":{"filters":{"data":[{"type":"filters"}]}}}}`,
		`{"data":{"relationships":{"filters":{"data":null}}}}`,
		`{"data":{"attributes":{"relationships":{"filters":{"data":[]}}}}}`,
		`{"data":[{"id":"my-log-filter"}]}`,
		`{"data":null}`, `{}`, `[]`, `1`, `"x"`, `null`, `{`, "\x00", `{"data":{"attributes":1e999}}`,
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	s := newFuzzSim(f)
	f.Fuzz(func(t *testing.T, body string, filtersPath bool) {
		id := s.session(t)
		target := "/v1/sessions/" + id
		if filtersPath {
			target += "/relationships/filters"
		}
		rec := s.do(t, http.MethodPatch, target, body)
		if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
			t.Fatalf("PATCH %s %q: %d, want 200 or 400", target, body, rec.Code)
		}
		if got := s.do(t, http.MethodGet, "/v1/sessions/"+id, ""); got.Code != http.StatusOK {
			t.Fatalf("GET after PATCH %q: %d", body, got.Code)
		}
		s.do(t, http.MethodDelete, "/v1/sessions/"+id, "")
	})
}

// FuzzDeleteTTL sends DELETE ?ttl=<any bytes>: MaxScale reads ttl with C's
// atoi, kills the session at once when the result is <= 0 and later
// otherwise. The oracle is an independent strtol + (int) conversion on
// big integers; the outcome is observed through the API (GET right after
// the DELETE is 404 for an immediate kill, 200 while a TTL runs).
func FuzzDeleteTTL(f *testing.F) {
	for _, seed := range []string{"", "abc", "0", "-5", "0.9", "5", "5s", " 5", "5.9", "+7", "\t\n3",
		"2147483648", "4294967296", "4294967301", "9223372036854775808", "-9223372036854775809", "1e3"} {
		f.Add(seed)
	}
	s := newFuzzSim(f)
	f.Fuzz(func(t *testing.T, ttl string) {
		id := s.session(t)
		if rec := s.do(t, http.MethodDelete, "/v1/sessions/"+id+"?ttl="+percentEncode(ttl), ""); rec.Code != http.StatusOK {
			t.Fatalf("DELETE ?ttl=%q: %d, want 200", ttl, rec.Code)
		}
		want := http.StatusOK
		if cAtoi(ttl) <= 0 {
			want = http.StatusNotFound
		}
		if got := s.do(t, http.MethodGet, "/v1/sessions/"+id, "").Code; got != want {
			t.Fatalf("ttl=%q (atoi %d): GET after DELETE = %d, want %d", ttl, cAtoi(ttl), got, want)
		}
		s.do(t, http.MethodDelete, "/v1/sessions/"+id, "") // a pending TTL: kill now
	})
}

// percentEncode escapes every byte, so the server decodes exactly s.
func percentEncode(s string) string {
	var b strings.Builder
	for i := range len(s) {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

// cAtoi is glibc's atoi: (int)strtol(s, NULL, 10) on a C string (it ends
// at the first NUL), computed on big integers: leading isspace, an
// optional sign, decimal digits; saturation at the long range; the cast to
// int keeps the low 32 bits.
func cAtoi(s string) int32 {
	s, _, _ = strings.Cut(s, "\x00")
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	v := new(big.Int)
	if end > 0 {
		v.SetString(s[:end], 10)
	}
	if neg {
		v.Neg(v)
	}
	switch {
	case v.Cmp(big.NewInt(math.MaxInt64)) > 0:
		v.SetInt64(math.MaxInt64)
	case v.Cmp(big.NewInt(math.MinInt64)) < 0:
		v.SetInt64(math.MinInt64)
	}
	return int32(v.Int64())
}
