package auth

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// t0 is the capture time of transcript 241 (iat 1795721841).
var t0 = time.Unix(1795721841, 0)

// fakeClock is a settable clock for tests.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func newTestAuth(t *testing.T, opts ...Option) (*Authenticator, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: t0}
	base := []Option{WithClock(clk.now), WithLogger(slog.New(slog.NewTextHandler(t.Output(), nil)))}
	return New(DefaultUsers(), append(base, opts...)...), clk
}

func mustIssue(t *testing.T, a *Authenticator, user string, acct Account) string {
	t.Helper()
	tok, err := a.Issue(Identity{User: user, Account: acct}, time.Hour)
	if err != nil {
		t.Fatalf("Issue(%s): %v", user, err)
	}
	return tok
}

// outcome is what Authorize should decide.
type outcome struct {
	status    int // 0: allowed
	challenge bool
	body      string
}

var (
	allowed       = outcome{}
	deniedBasic   = outcome{http.StatusUnauthorized, true, AccessDeniedBody}
	deniedQuiet   = outcome{http.StatusUnauthorized, false, AccessDeniedBody}
	adminRequired = outcome{http.StatusForbidden, false, AdminRequiredBody}
)

func TestAuthorizeMatrix(t *testing.T) {
	a, _ := newTestAuth(t)
	adminTok := mustIssue(t, a, "admin", Admin)
	roTok := mustIssue(t, a, "basic", Basic)
	basic := func(u, p string) func(*http.Request) { return func(r *http.Request) { r.SetBasicAuth(u, p) } }
	header := func(k, v string) func(*http.Request) { return func(r *http.Request) { r.Header.Set(k, v) } }
	cookie := func(v string) func(*http.Request) {
		return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "token_sig", Value: v}) }
	}
	both := func(fs ...func(*http.Request)) func(*http.Request) {
		return func(r *http.Request) {
			for _, f := range fs {
				f(r)
			}
		}
	}
	rows := []struct {
		name          string
		prepare       func(*http.Request)
		reads, writes outcome // reads: GET, HEAD, OPTIONS; writes: PATCH, POST, DELETE
	}{
		{"no credentials", func(*http.Request) {}, deniedBasic, deniedBasic},
		{"wrong password", basic("admin", "wrong-password"), deniedBasic, deniedBasic},
		{"unknown user", basic("nobody", "mariadb"), deniedBasic, deniedBasic},
		{"basic admin", basic("admin", "mariadb"), allowed, allowed},
		{"basic read-only", basic("basic", "mariadb"), allowed, deniedBasic},
		{"basic read-only XHR", both(basic("basic", "mariadb"), header("X-Requested-With", "XMLHttpRequest")), allowed, deniedQuiet},
		{"bearer admin", header("Authorization", "Bearer "+adminTok), allowed, allowed},
		{"bearer read-only", header("Authorization", "Bearer "+roTok), allowed, adminRequired},
		{"cookie admin", cookie(adminTok), allowed, allowed},
		{"cookie read-only", cookie(roTok), allowed, adminRequired},
		{"invalid bearer", header("Authorization", "Bearer not.a.token"), deniedQuiet, deniedQuiet},
		{"invalid cookie", cookie("not.a.token"), deniedQuiet, deniedQuiet},
		{"invalid cookie wins over good basic", both(cookie("x"), basic("admin", "mariadb")), deniedQuiet, deniedQuiet},
		{"cookie wins over bearer", both(cookie(roTok), header("Authorization", "Bearer "+adminTok)), allowed, adminRequired},
		{"XHR without credentials", header("X-Requested-With", "XMLHttpRequest"), deniedQuiet, deniedQuiet},
		{"read-only override DELETE", both(basic("basic", "mariadb"), header("X-HTTP-Method-Override", "DELETE")), adminRequired, deniedBasic},
		{"read-only override PATCH", both(basic("basic", "mariadb"), header("X-HTTP-Method-Override", "PATCH")), adminRequired, deniedBasic},
		{"read-only override POST", both(basic("basic", "mariadb"), header("X-HTTP-Method-Override", "POST")), adminRequired, deniedBasic},
		{"read-only bearer override DELETE", both(header("Authorization", "Bearer "+roTok), header("X-HTTP-Method-Override", "DELETE")), adminRequired, adminRequired},
		{"read-only override GET", both(basic("basic", "mariadb"), header("X-HTTP-Method-Override", "GET")), allowed, deniedBasic},
		{"read-only lower-case override", both(basic("basic", "mariadb"), header("X-HTTP-Method-Override", "delete")), adminRequired, deniedBasic},
		{"admin override DELETE", both(basic("admin", "mariadb"), header("X-HTTP-Method-Override", "DELETE")), allowed, allowed},
		{"admin lower-case override", both(basic("admin", "mariadb"), header("X-HTTP-Method-Override", "patch")), allowed, allowed},
	}
	methods := []struct {
		method string
		write  bool
	}{
		{http.MethodGet, false}, {http.MethodHead, false}, {http.MethodOptions, false},
		{http.MethodPatch, true}, {http.MethodPost, true}, {http.MethodDelete, true},
	}
	for _, row := range rows {
		for _, m := range methods {
			t.Run(row.name+"/"+m.method, func(t *testing.T) {
				want := row.reads
				if m.write {
					want = row.writes
				}
				r := httptest.NewRequestWithContext(t.Context(), m.method, "/v1/sessions/115", nil)
				row.prepare(r)
				d := a.Authorize(r)
				checkDecision(t, d, want)
			})
		}
	}
}

func checkDecision(t *testing.T, d Decision, want outcome) {
	t.Helper()
	if want == allowed {
		if !d.Allowed {
			t.Fatalf("denied with %d %s, want allowed", d.Reply.Status, d.Reply.Body)
		}
		return
	}
	if d.Allowed {
		t.Fatalf("allowed as %+v, want %d", d.Identity, want.status)
	}
	rec := httptest.NewRecorder()
	d.Reply.Write(rec)
	if rec.Code != want.status {
		t.Errorf("status = %d, want %d", rec.Code, want.status)
	}
	if got := rec.Body.String(); got != want.body {
		t.Errorf("body = %q, want %q", got, want.body)
	}
	wa, has := rec.Header()["Www-Authenticate"]
	if has != want.challenge || (has && wa[0] != `Basic realm="maxscale"`) {
		t.Errorf("WWW-Authenticate = %q, want present=%v", wa, want.challenge)
	}
	if got := rec.Header().Get("Connection"); got != "close" {
		t.Errorf("Connection = %q, want close", got)
	}
	checkStaticHeaders(t, rec.Header())
}

// checkStaticHeaders asserts transcript 236's header set: Date with a
// four-digit year, no Content-Type.
func checkStaticHeaders(t *testing.T, h http.Header) {
	t.Helper()
	if got := h.Get("Date"); got != "Thu, 26 Nov 2026 19:37:21 GMT" {
		t.Errorf("Date = %q, want the clock's time with a four-digit year", got)
	}
	for _, k := range []string{"Content-Type", "Cache-Control", "X-Frame-Options"} {
		if v := h.Values(k); len(v) > 0 {
			t.Errorf("%s = %q, want none on a static reply", k, v)
		}
	}
}

func TestAuthorizeIdentity(t *testing.T) {
	a, _ := newTestAuth(t)
	roTok := mustIssue(t, a, "basic", Basic)
	tests := []struct {
		name    string
		prepare func(*http.Request)
		want    Identity
	}{
		{"basic admin", func(r *http.Request) { r.SetBasicAuth("admin", "mariadb") }, Identity{"admin", Admin, SourceBasic}},
		{"bearer read-only", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+roTok) }, Identity{"basic", Basic, SourceBearer}},
		{"cookie read-only", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "token_sig", Value: roTok}) }, Identity{"basic", Basic, SourceCookie}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/v1/sessions", nil)
			tc.prepare(r)
			d := a.Authorize(r)
			if !d.Allowed || d.Identity != tc.want {
				t.Errorf("Authorize = %+v, want allowed as %+v", d, tc.want)
			}
		})
	}
}

// A valid token whose subject is no longer a user: MaxScale's
// authorize_user fails, which on the token path is 403.
func TestTokenForUnknownUser(t *testing.T) {
	a, _ := newTestAuth(t)
	tok := mustIssue(t, a, "capture-ro", Basic)
	r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/v1/sessions", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	checkDecision(t, a.Authorize(r), adminRequired)
}

func TestEffectiveMethod(t *testing.T) {
	tests := []struct {
		method, override string
		want             string
		wantStatus       int
	}{
		{"GET", "", "GET", 200},
		{"PATCH", "", "PATCH", 200},
		{"HEAD", "", "HEAD", 200},
		{"OPTIONS", "", "OPTIONS", 200},
		{"PUT", "PATCH", "PATCH", 200},  // transcript 190
		{"POST", "patch", "patch", 405}, // transcript 192
		{"GET", "POST", "POST", 200},    // transcript 195
		{"GET", "FOO", "FOO", 405},      // transcript 196
		{"PATCH", "GET", "GET", 200},    // transcript 197
		{"FOO", "", "FOO", 405},         // transcript 189
		{"get", "", "get", 405},
		{"GET", "DELETE", "DELETE", 200},
	}
	for _, tc := range tests {
		t.Run(tc.method+"+"+tc.override, func(t *testing.T) {
			r := httptest.NewRequestWithContext(t.Context(), tc.method, "/v1/sessions/1", nil)
			if tc.override != "" {
				r.Header.Set("X-HTTP-Method-Override", tc.override)
			}
			got, st := EffectiveMethod(r)
			if got != tc.want || st != tc.wantStatus {
				t.Errorf("EffectiveMethod = %q, %d, want %q, %d", got, st, tc.want, tc.wantStatus)
			}
		})
	}
}

func TestIsAuthEndpoint(t *testing.T) {
	tests := map[string]bool{
		"/v1/auth": true, "/v1/auth/": true, "/auth": true, "//v1//auth//": true,
		"/v1/auth/x": false, "/v1/sessions": false, "/v2/auth": false, "/V1/auth": false, "/": false,
	}
	for path, want := range tests {
		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, path, nil)
		if got := IsAuthEndpoint(r); got != want {
			t.Errorf("IsAuthEndpoint(%s) = %v, want %v", path, got, want)
		}
	}
}

func TestPasswordsAreNotPrefixes(t *testing.T) {
	a, _ := newTestAuth(t)
	for _, pw := range []string{"", "mariad", "mariadbx", "MARIADB"} {
		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/v1/sessions", nil)
		r.SetBasicAuth("admin", pw)
		if _, err := a.Authenticate(r); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("password %q: err = %v, want ErrBadCredentials", pw, err)
		}
	}
}

// Each observed deviation about WWW-Authenticate can be switched off (the
// documented profile: every 401 challenges); the 403s do not change.
func TestDeviationsSwitchChallenge(t *testing.T) {
	key := WithSigningKey([]byte("shared test key"))
	issuer, _ := newTestAuth(t, key)
	roTok := mustIssue(t, issuer, "basic", Basic)
	none := func(string) bool { return false }
	only := func(id string) func(string) bool { return func(s string) bool { return s == id } }
	tests := []struct {
		name     string
		observed func(string) bool
		method   string
		path     string
		prepare  func(*http.Request)
		want     outcome
	}{
		{"documented: XHR", none, "GET", "/v1/sessions", func(r *http.Request) { r.Header.Set("X-Requested-With", "XMLHttpRequest") }, deniedBasic},
		{"documented: invalid bearer", none, "GET", "/v1/sessions", func(r *http.Request) { r.Header.Set("Authorization", "Bearer x") }, deniedBasic},
		{"documented: /v1/auth without credentials", none, "GET", "/v1/auth", func(*http.Request) {}, deniedBasic},
		{"documented: read-only token write", none, "PATCH", "/v1/sessions/1", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+roTok) }, adminRequired},
		{"token deviation only: XHR", only(DeviationTokenNoChallenge), "GET", "/v1/sessions", func(r *http.Request) { r.Header.Set("X-Requested-With", "XMLHttpRequest") }, deniedBasic},
		{"token deviation only: invalid bearer", only(DeviationTokenNoChallenge), "GET", "/v1/sessions", func(r *http.Request) { r.Header.Set("Authorization", "Bearer x") }, deniedQuiet},
		{"XHR deviation only: /v1/auth", only(DeviationXHRNoChallenge), "GET", "/v1/auth", func(*http.Request) {}, deniedBasic},
		{"XHR deviation only: XHR invalid bearer", only(DeviationXHRNoChallenge), "GET", "/v1/sessions", func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer x")
			r.Header.Set("X-Requested-With", "XMLHttpRequest")
		}, deniedQuiet},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := newTestAuth(t, key, WithDeviations(tc.observed))
			r := httptest.NewRequestWithContext(t.Context(), tc.method, tc.path, nil)
			tc.prepare(r)
			checkDecision(t, a.Authorize(r), tc.want)
		})
	}
}

// On the wire, a static reply looks like transcript 236: no Content-Type
// (net/http would sniff one), a four-digit-year Date, the challenge, the
// exact 46 bytes, and the connection closed.
func TestStaticReplyOnTheWire(t *testing.T) {
	a, _ := newTestAuth(t)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := a.Authorize(r); !d.Allowed {
			d.Reply.Write(w)
		}
	}))
	t.Cleanup(ts.Close)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, ts.URL+"/v1/sessions", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusUnauthorized || string(body) != AccessDeniedBody || resp.ContentLength != 46 {
		t.Errorf("reply = %d %q (Content-Length %d), want 401 %q (46)", resp.StatusCode, body, resp.ContentLength, AccessDeniedBody)
	}
	if got := resp.Header.Get("WWW-Authenticate"); got != `Basic realm="maxscale"` {
		t.Errorf("WWW-Authenticate = %q", got)
	}
	if !resp.Close {
		t.Error("connection kept open, want Connection: close")
	}
	checkStaticHeaders(t, resp.Header)
}
