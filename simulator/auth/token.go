package auth

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mxharness/mxharness/simulator/jsonapi"
)

const (
	issuer     = "maxscale"
	cookieName = "token_sig"
	// defaultLifetime is /v1/auth's token lifetime without max-age.
	defaultLifetime = 8 * time.Hour
	// maxRequestAge is the largest accepted max-age (INT_MAX-1 seconds).
	maxRequestAge = 2147483646
)

// claims are MaxScale 24.02's token claims. The fields are in sorted order
// so the payload has the same bytes as MaxScale's (jansson sorts keys).
type claims struct {
	Account Account `json:"account"`
	Aud     string  `json:"aud"`
	Exp     int64   `json:"exp"`
	Iat     int64   `json:"iat"`
	Iss     string  `json:"iss"`
	Sub     string  `json:"sub"`
}

func (c claims) GetExpirationTime() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.Exp, 0)), nil
}
func (c claims) GetIssuedAt() (*jwt.NumericDate, error) {
	return jwt.NewNumericDate(time.Unix(c.Iat, 0)), nil
}
func (c claims) GetNotBefore() (*jwt.NumericDate, error) { return nil, nil }
func (c claims) GetIssuer() (string, error)              { return c.Iss, nil }
func (c claims) GetSubject() (string, error)             { return c.Sub, nil }
func (c claims) GetAudience() (jwt.ClaimStrings, error)  { return jwt.ClaimStrings{c.Aud}, nil }

// Issue signs a token for id valid for lifetime (capped at the max age,
// at least one second; whole seconds). The token looks like MaxScale's:
// header {"alg":"HS256"}, claims account, aud, exp, iat, iss, sub.
func (a *Authenticator) Issue(id Identity, lifetime time.Duration) (string, error) {
	secs := int64(min(max(lifetime, time.Second), a.maxAge) / time.Second)
	iat := a.now().Unix()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims{
		Account: id.Account, Aud: id.User, Exp: iat + secs, Iat: iat, Iss: issuer, Sub: id.User,
	})
	delete(tok.Header, "typ") // MaxScale's header carries only alg
	s, err := tok.SignedString(a.key)
	if err != nil {
		return "", fmt.Errorf("sign token for %q: %w", id.User, err)
	}
	return s, nil
}

// Verify checks a token's signature (HS256 with this Authenticator's key),
// issuer and expiry, and returns its subject. Every failure is
// ErrInvalidToken.
func (a *Authenticator) Verify(token string) (user string, err error) {
	var c claims
	_, err = jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return a.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(a.now))
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if c.Sub == "" {
		return "", fmt.Errorf("%w: no subject", ErrInvalidToken)
	}
	return c.Sub, nil
}

// TokenReply answers /v1/auth after Authorize allowed r with id:
//   - logout=<truthy>: 200, no body, a Set-Cookie that expires token_sig;
//   - persist=yes: 204, no body, Set-Cookie: token_sig=<jwt>; Path=/[;
//     Max-Age=N]; SameSite=Strict; HttpOnly (Max-Age when max-age is given);
//   - else 200 with Doc {"meta":{"token":"<jwt>"}}.
//
// max-age (seconds) counts if it is an integer in 1…2147483646, else the
// default of 8h is used; either is capped at the max age. The replies are
// not static: the caller adds its usual headers and marshals Doc, but no
// ETag or Last-Modified (MaxScale sends none on /v1/auth). Without an
// identity (TokenReply called without Authorize) the reply is the static
// 401 Access denied.
func (a *Authenticator) TokenReply(r *http.Request, id Identity) Reply {
	q := jsonapi.ParseQuery(r.URL.RawQuery)
	if isLogout(r) {
		h := http.Header{}
		h.Add("Set-Cookie", cookieName+"=; Path=/; Expires="+jsonapi.HTTPDate(time.Unix(0, 0))+
			"; SameSite=Strict; HttpOnly")
		return Reply{Status: http.StatusOK, Header: h}
	}
	lifetime := min(defaultLifetime, a.maxAge)
	ageParam, _ := q.Get("max-age")
	if n, ok := parseMaxAge(ageParam); ok {
		lifetime = min(time.Duration(n)*time.Second, a.maxAge)
	}
	if id.User == "" {
		return a.staticReply(http.StatusUnauthorized, AccessDeniedBody, false)
	}
	tok, err := a.Issue(id, lifetime)
	if err != nil {
		a.log.ErrorContext(r.Context(), "token not issued", "user", id.User, "err", err)
		return a.staticReply(http.StatusUnauthorized, AccessDeniedBody, false)
	}
	if persist, _ := q.Get("persist"); persist == "yes" {
		cookie := cookieName + "=" + tok + "; Path=/"
		if ageParam != "" {
			cookie += "; Max-Age=" + strconv.FormatInt(int64(lifetime/time.Second), 10)
		}
		h := http.Header{}
		h.Add("Set-Cookie", cookie+"; SameSite=Strict; HttpOnly")
		return Reply{Status: http.StatusNoContent, Header: h}
	}
	return Reply{Status: http.StatusOK, Header: http.Header{}, Doc: map[string]any{"meta": map[string]any{"token": tok}}}
}

// parseMaxAge reads max-age like MaxScale's strtol check: optional leading
// space and sign, digits to the end, 1…INT_MAX-1.
func parseMaxAge(v string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimLeft(v, " \t\n\v\f\r"), 10, 64)
	if err != nil || n < 1 || n > maxRequestAge {
		return 0, false
	}
	return n, true
}

// isLogout reports /v1/auth?logout=<truthy>, which MaxScale answers before
// authentication.
func isLogout(r *http.Request) bool {
	if !IsAuthEndpoint(r) {
		return false
	}
	v, _ := jsonapi.ParseQuery(r.URL.RawQuery).Get("logout")
	t, ok := jsonapi.Truthy(v)
	return ok && t
}
