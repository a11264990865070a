package auth

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Transcript 241's token: admin, issued at t0, 8h.
const (
	observedHeader  = "eyJhbGciOiJIUzI1NiJ9"
	observedPayload = "eyJhY2NvdW50IjoiYWRtaW4iLCJhdWQiOiJhZG1pbiIsImV4cCI6MTc5NTc1MDY0MSwiaWF0IjoxNzk1NzIxODQxLCJpc3MiOiJtYXhzY2FsZSIsInN1YiI6ImFkbWluIn0"
)

func TestIssueMatchesMaxScaleBytes(t *testing.T) {
	a, _ := newTestAuth(t)
	tok, err := a.Issue(Identity{User: "admin", Account: Admin}, 8*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] != observedHeader || parts[1] != observedPayload {
		t.Errorf("token = %s\nwant header.payload %s.%s", tok, observedHeader, observedPayload)
	}
	if user, err := a.Verify(tok); err != nil || user != "admin" {
		t.Errorf("Verify = %q, %v, want admin", user, err)
	}
}

func TestVerifyRejects(t *testing.T) {
	a, _ := newTestAuth(t)
	other, _ := newTestAuth(t, WithSigningKey([]byte("another key")))
	good := mustIssue(t, a, "admin", Admin)
	sign := func(method jwt.SigningMethod, key any, c jwt.MapClaims) string {
		t.Helper()
		s, err := jwt.NewWithClaims(method, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	valid := func() jwt.MapClaims {
		return jwt.MapClaims{"sub": "admin", "account": "admin", "iss": "maxscale", "iat": t0.Unix(), "exp": t0.Unix() + 60}
	}
	wrongIss, noExp, noSub := valid(), valid(), valid()
	wrongIss["iss"] = "someone"
	delete(noExp, "exp")
	delete(noSub, "sub")
	tests := map[string]string{
		"other key":    mustIssue(t, other, "admin", Admin),
		"tampered":     tamper(good),
		"alg none":     sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid()),
		"HS512":        sign(jwt.SigningMethodHS512, a.key, valid()),
		"wrong issuer": sign(jwt.SigningMethodHS256, a.key, wrongIss),
		"no expiry":    sign(jwt.SigningMethodHS256, a.key, noExp),
		"no subject":   sign(jwt.SigningMethodHS256, a.key, noSub),
		"not a token":  "not.a.token",
		"empty":        "",
		"payload swap": strings.Join([]string{observedHeader, base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"admin","iss":"maxscale","exp":9999999999}`)), strings.Split(good, ".")[2]}, "."),
	}
	if _, err := a.Verify(sign(jwt.SigningMethodHS256, a.key, valid())); err != nil {
		t.Fatalf("control token rejected: %v", err)
	}
	for name, tok := range tests {
		t.Run(name, func(t *testing.T) {
			if user, err := a.Verify(tok); !errors.Is(err, ErrInvalidToken) {
				t.Errorf("Verify = %q, %v, want ErrInvalidToken", user, err)
			}
		})
	}
}

func TestTokenExpiry(t *testing.T) {
	a, clk := newTestAuth(t)
	tok, err := a.Issue(Identity{User: "admin", Account: Admin}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		after time.Duration
		want  outcome
	}{
		{0, allowed},
		{59 * time.Second, allowed},
		{60 * time.Second, deniedQuiet},
		{time.Hour, deniedQuiet},
	}
	for _, tc := range tests {
		clk.t = t0.Add(tc.after)
		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/v1/sessions", nil)
		r.Header.Set("Authorization", "Bearer "+tok)
		d := a.Authorize(r)
		if (tc.want == allowed) != d.Allowed {
			t.Errorf("after %v: allowed = %v, want %v", tc.after, d.Allowed, tc.want == allowed)
		}
	}
}

// lifetime decodes a token's exp − iat in seconds.
func lifetime(t *testing.T, a *Authenticator, tok string) int64 {
	t.Helper()
	var c claims
	if _, err := jwt.ParseWithClaims(tok, &c, func(*jwt.Token) (any, error) { return a.key, nil },
		jwt.WithTimeFunc(a.now)); err != nil {
		t.Fatalf("parse %s: %v", tok, err)
	}
	return c.Exp - c.Iat
}

func authRequest(t *testing.T, query string) *http.Request {
	t.Helper()
	r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/v1/auth"+query, nil)
	r.SetBasicAuth("admin", "mariadb")
	return r
}

func TestTokenReplyMaxAge(t *testing.T) {
	tests := []struct {
		query  string
		maxAge time.Duration // WithMaxAge; 0 = default 24h
		want   int64
	}{
		{"", 0, 28800},
		{"?max-age=60", 0, 60}, // transcript 247
		{"?MAX-AGE=60", 0, 60},
		{"?max-age=+60", 0, 60},
		{"?max-age=%2060", 0, 60},
		{"?max-age=1", 0, 1},
		{"?max-age=0", 0, 28800},
		{"?max-age=-5", 0, 28800},
		{"?max-age=abc", 0, 28800},
		{"?max-age=60abc", 0, 28800},
		{"?max-age=1.5", 0, 28800},
		{"?max-age", 0, 28800},
		{"?max-age=86400", 0, 86400},
		{"?max-age=86401", 0, 86400},
		{"?max-age=2147483646", 0, 86400},
		{"?max-age=2147483647", 0, 28800},
		{"?max-age=99999999999999999999", 0, 28800},
		{"", time.Hour, 3600},
		{"?max-age=7200", time.Hour, 3600},
		{"?max-age=60", time.Hour, 60},
		{"?max-age=60&max-age=120", 0, 60},
	}
	for _, tc := range tests {
		t.Run(tc.query+"/"+tc.maxAge.String(), func(t *testing.T) {
			var opts []Option
			if tc.maxAge > 0 {
				opts = append(opts, WithMaxAge(tc.maxAge))
			}
			a, _ := newTestAuth(t, opts...)
			r := authRequest(t, tc.query)
			d := a.Authorize(r)
			if !d.Allowed {
				t.Fatalf("Authorize denied: %d", d.Reply.Status)
			}
			rep := a.TokenReply(r, d.Identity)
			if rep.Status != http.StatusOK || rep.Static() {
				t.Fatalf("TokenReply status = %d static = %v, want 200 document", rep.Status, rep.Static())
			}
			tok := rep.Doc.(map[string]any)["meta"].(map[string]any)["token"].(string)
			if got := lifetime(t, a, tok); got != tc.want {
				t.Errorf("exp-iat = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestTokenReplyPersist(t *testing.T) {
	tests := []struct {
		query      string
		wantStatus int
		wantAttrs  string // after token_sig=<jwt>; "" = no cookie
	}{
		{"?persist=yes", 204, "; Path=/; SameSite=Strict; HttpOnly"}, // transcript 245
		{"?persist=yes&max-age=60", 204, "; Path=/; Max-Age=60; SameSite=Strict; HttpOnly"},
		{"?persist=yes&max-age=100000", 204, "; Path=/; Max-Age=86400; SameSite=Strict; HttpOnly"},
		{"?persist=yes&max-age=abc", 204, "; Path=/; Max-Age=28800; SameSite=Strict; HttpOnly"},
		{"?PERSIST=yes", 204, "; Path=/; SameSite=Strict; HttpOnly"},
		{"?persist=true", 200, ""},
		{"?persist=YES", 200, ""},
		{"?persist", 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			a, _ := newTestAuth(t)
			r := authRequest(t, tc.query)
			rep := a.TokenReply(r, a.Authorize(r).Identity)
			if rep.Status != tc.wantStatus {
				t.Fatalf("status = %d, want %d", rep.Status, tc.wantStatus)
			}
			cookies := rep.Header.Values("Set-Cookie")
			if tc.wantAttrs == "" {
				if len(cookies) != 0 || rep.Doc == nil {
					t.Errorf("Set-Cookie = %q, Doc = %v; want no cookie and a token document", cookies, rep.Doc)
				}
				return
			}
			if len(cookies) != 1 || rep.Doc != nil || rep.Static() {
				t.Fatalf("Set-Cookie = %q, Doc = %v; want one cookie and no body", cookies, rep.Doc)
			}
			tok, attrs, _ := strings.Cut(strings.TrimPrefix(cookies[0], "token_sig="), ";")
			if "; "+strings.TrimPrefix(attrs, " ") != tc.wantAttrs {
				t.Errorf("cookie attributes = %q, want %q", ";"+attrs, tc.wantAttrs)
			}
			// The cookie authenticates, as in transcript 246.
			g := httptest.NewRequestWithContext(t.Context(), http.MethodDelete, "/v1/sessions/1", nil)
			g.AddCookie(&http.Cookie{Name: "token_sig", Value: tok})
			if d := a.Authorize(g); !d.Allowed || d.Identity.Source != SourceCookie {
				t.Errorf("cookie from persist: %+v, want allowed via cookie", d)
			}
		})
	}
}

func TestAuthEndpointNeedsBasic(t *testing.T) {
	a, _ := newTestAuth(t)
	adminTok := mustIssue(t, a, "admin", Admin)
	tests := []struct {
		name    string
		method  string
		prepare func(*http.Request)
		want    outcome
	}{
		{"no credentials", "GET", func(*http.Request) {}, deniedQuiet},                                                   // transcript 248
		{"bearer only", "GET", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+adminTok) }, deniedQuiet}, // transcript 249
		{"cookie only", "GET", func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "token_sig", Value: adminTok}) }, deniedQuiet},
		{"wrong password", "GET", func(r *http.Request) { r.SetBasicAuth("admin", "x") }, deniedQuiet},
		{"read-only POST", "POST", func(r *http.Request) { r.SetBasicAuth("basic", "mariadb") }, deniedQuiet},
		{"admin", "GET", func(r *http.Request) { r.SetBasicAuth("admin", "mariadb") }, allowed},
		{"read-only", "GET", func(r *http.Request) { r.SetBasicAuth("basic", "mariadb") }, allowed}, // transcript 259
		{"logout=no needs auth", "GET", func(r *http.Request) { r.URL.RawQuery = "logout=no" }, deniedQuiet},
		{"logout=yes without auth", "GET", func(r *http.Request) { r.URL.RawQuery = "logout=yes" }, allowed},
		{"logout=ON without auth", "POST", func(r *http.Request) { r.URL.RawQuery = "logout=ON" }, allowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequestWithContext(t.Context(), tc.method, "/v1/auth", nil)
			r.Header.Set("X-Requested-With", "nope")
			tc.prepare(r)
			checkDecision(t, a.Authorize(r), tc.want)
		})
	}
}

// A read-only user's token: reads pass, writes get 403 (transcripts 259-262).
func TestReadOnlyTokenRoundTrip(t *testing.T) {
	a, _ := newTestAuth(t)
	r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/v1/auth", nil)
	r.SetBasicAuth("basic", "mariadb")
	rep := a.TokenReply(r, a.Authorize(r).Identity)
	tok := rep.Doc.(map[string]any)["meta"].(map[string]any)["token"].(string)
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
	if err != nil || !strings.HasPrefix(string(payload), `{"account":"basic","aud":"basic",`) {
		t.Errorf("payload = %s (%v), want account basic", payload, err)
	}
	for method, want := range map[string]outcome{"GET": allowed, "PATCH": adminRequired, "DELETE": adminRequired} {
		g := httptest.NewRequestWithContext(t.Context(), method, "/v1/sessions/115", nil)
		g.Header.Set("Authorization", "Bearer "+tok)
		checkDecision(t, a.Authorize(g), want)
	}
}

func TestLogoutClearsCookie(t *testing.T) {
	a, _ := newTestAuth(t)
	r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/v1/auth?logout=true", nil)
	d := a.Authorize(r)
	rep := a.TokenReply(r, d.Identity)
	want := "token_sig=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Strict; HttpOnly"
	if !d.Allowed || rep.Status != http.StatusOK || rep.Doc != nil || rep.Static() || rep.Header.Get("Set-Cookie") != want {
		t.Errorf("logout: allowed %v, reply %+v; want 200, no body, Set-Cookie %q", d.Allowed, rep, want)
	}
}

func TestTokenReplyWithoutIdentity(t *testing.T) {
	a, _ := newTestAuth(t)
	r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/v1/auth", nil)
	rep := a.TokenReply(r, Identity{})
	if rep.Status != http.StatusUnauthorized || string(rep.Body) != AccessDeniedBody {
		t.Errorf("TokenReply(no identity) = %d %q, want static 401", rep.Status, rep.Body)
	}
}

// Without WithSigningKey each Authenticator has its own random key, so a
// restarted simulator rejects old tokens.
func TestRandomKeyPerAuthenticator(t *testing.T) {
	a1, _ := newTestAuth(t)
	a2, _ := newTestAuth(t)
	tok := mustIssue(t, a1, "admin", Admin)
	if _, err := a2.Verify(tok); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("token of another Authenticator: err = %v, want ErrInvalidToken", err)
	}
	k1, _ := newTestAuth(t, WithSigningKey([]byte("k")))
	k2, _ := newTestAuth(t, WithSigningKey([]byte("k")))
	if _, err := k2.Verify(mustIssue(t, k1, "admin", Admin)); err != nil {
		t.Errorf("same key: %v", err)
	}
}

// tamper changes the first character of the token's signature. Changing its
// last characters is not enough: the final base64url character carries only
// four bits of the 32-byte signature, so "xx" decoded to the same bytes about
// once in a thousand runs and the tampered token verified.
func tamper(tok string) string {
	i := strings.LastIndexByte(tok, '.') + 1
	c := byte('A')
	if tok[i] == c {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}
