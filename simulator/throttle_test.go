package simulator

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestLogThrottle(t *testing.T) {
	var th logThrottle
	t0 := time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)
	at := func(d time.Duration) bool { return th.suppressed(t0.Add(d)) }
	for i := range 10 { // ten within 0.1 s: all go out, the tenth starts the suppression
		if at(time.Duration(i) * 10 * time.Millisecond) {
			t.Fatalf("message %d suppressed", i+1)
		}
	}
	if !at(200*time.Millisecond) || !at(5*time.Second) {
		t.Fatal("the 11th and 12th messages of a burst went out")
	}
	// The 11th moved the window's start to 0.2 s: suppressed until 11.2 s.
	if !at(11100 * time.Millisecond) {
		t.Error("a message 10.9 s after the window's start went out")
	}
	if at(11300 * time.Millisecond) {
		t.Error("a message after the suppression was suppressed")
	}
	// Ten messages spread over more than a second are no burst.
	var slow logThrottle
	for i := range 30 {
		if slow.suppressed(t0.Add(time.Duration(i) * 150 * time.Millisecond)) {
			t.Fatalf("message %d of a slow stream suppressed", i+1)
		}
	}
}

// profileWith returns a profile that reproduces the deviation, failing the
// test if none does.
func profileWith(t *testing.T, id string) string {
	t.Helper()
	names, err := Profiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if p, err := loadProfile(n); err == nil && p.observed(id) {
			return n
		}
	}
	t.Fatalf("no profile reproduces %s", id)
	return ""
}

// The deviations of MaxScale 23.08's filters and errors, in a profile that
// reproduces them (the contract records them for 23.08.6).
func TestFilterAndErrorDeviationsOf2308(t *testing.T) {
	t.Run(devFilterExprIgnored+"+"+devJSONPathIgnored, func(t *testing.T) {
		s := startSim(t, nil, WithProfile(profileWith(t, devFilterExprIgnored)))
		_, a := s.dial(t, "RW-Split-Router")
		_, b := s.dial(t, "RW-Split-Router")
		port := int(num(t, attr(s.session(t, b), "port")))
		ids := func(q string) string { return s.listIDs(t, q) }
		all := a + "," + b
		for q, want := range map[string]string{
			"filter=/attributes/port=" + strconv.Itoa(port):                       b,
			"filter=/attributes/port=%22" + strconv.Itoa(port) + "%22":            "",
			"filter=/attributes/port=eq(" + strconv.Itoa(port) + ")":              all,
			"filter=/attributes/port=foo(1)":                                      all,
			"filter=id=or(eq(" + a + "))":                                         all,
			"filter=id=" + a:                                                      "",
			"filter=id=%22" + a + "%22":                                           a,
			"filter%5Battributes.port%5D=eq(" + strconv.Itoa(port) + ")":          all,
			"filter%5Battributes.user%5D=eq(maxuser)":                             all,
			"filter=/attributes/port=" + strconv.Itoa(port) + "&page%5Bsize%5D=1": b,
		} {
			if got := ids(q); got != want {
				t.Errorf("GET /v1/sessions?%s: sessions %q, want %q", q, got, want)
			}
		}
		for _, q := range []string{"filter=/attributes/port=foo(1)", "filter%5Battributes.user%5D=eq(%22no-such-user%22)"} {
			if r := s.api(t, "GET", "/v1/sessions/"+a+"?"+q, ""); r.status != http.StatusOK {
				t.Errorf("GET /v1/sessions/%s?%s: %d, want 200", a, q, r.status)
			}
		}
	})
	t.Run(devFilterRelURLIgnored+"+"+devPatchErrorEmpty400, func(t *testing.T) {
		s := startSim(t, nil, WithProfile(profileWith(t, devFilterRelURLIgnored)))
		_, id := s.dial(t, "RW-Split-Router")
		for _, body := range []string{`{"data":[{"id":"my-log-filter","type":"filters"}]}`, `{"data":[{"id":"no-such-filter","type":"filters"}]}`} {
			wantStatus(t, "PATCH relationships/filters "+body, s.api(t, "PATCH", "/v1/sessions/"+id+"/relationships/filters", body), http.StatusOK, "")
			if _, ok := s.session(t, id)["relationships"].(map[string]any)["filters"]; ok {
				t.Errorf("PATCH relationships/filters %s changed the filters", body)
			}
		}
		wantStatus(t, "PATCH an unknown filter", s.api(t, "PATCH", "/v1/sessions/"+id,
			`{"data":{"relationships":{"filters":{"data":[{"id":"no-such-filter","type":"filters"}]}}}}`), http.StatusBadRequest, "")
		wantStatus(t, "PATCH relationships/filters of no session", s.api(t, "PATCH", "/v1/sessions/999999/relationships/filters", `{"data":[]}`),
			http.StatusNotFound, errorBody("999999 is not a session"))
	})
	t.Run(devNotFoundThrottled, func(t *testing.T) {
		s := startSim(t, nil, WithProfile(profileWith(t, devNotFoundThrottled)))
		for i := range 10 {
			wantStatus(t, "GET an unknown session, "+strconv.Itoa(i+1), s.api(t, "GET", "/v1/sessions/999999", ""), http.StatusNotFound, errorBody("999999 is not a session"))
		}
		wantStatus(t, "the 11th", s.api(t, "GET", "/v1/sessions/999999", ""), http.StatusNotFound, "")
		wantStatus(t, "a malformed id, throttled too", s.api(t, "POST", "/v1/sessions/abc/restart", ""), http.StatusNotFound, "")
		s.clock.Advance(12 * time.Second)
		wantStatus(t, "after the suppression", s.api(t, "POST", "/v1/sessions/abc/restart", ""), http.StatusNotFound, errorBody("abc is not a session"))
	})
}
