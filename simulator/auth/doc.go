// Package auth implements MaxScale 24.02's REST API authentication and
// authorisation for the simulator: HTTP Basic users, JSON Web Tokens from
// /v1/auth (Bearer header or token_sig cookie), and the exact replies
// MaxScale sends when it refuses a request. It runs no HTTP server; the
// simulator's handler calls it.
//
// # Default accounts
//
// DefaultUsers gives MaxScale's default admin `admin`/`mariadb` and a
// read-only account (MaxScale account type `basic`) `basic`/`mariadb`.
// Passwords are compared in constant time; an unknown user costs the same
// as a wrong password.
//
// # What is decided, in MaxScale's order (catalogue §5.1 steps 5-6, §5.3)
//
//   - /v1/auth?logout=<truthy> passes without credentials.
//   - Credentials: token_sig cookie, else Authorization: Bearer <jwt>, else
//     HTTP Basic. On /v1/auth only Basic counts.
//   - No or wrong Basic credentials: 401 `{"errors": [ { "detail": "Access
//     denied" } ] }` with WWW-Authenticate: Basic realm="maxscale", except
//     when the request has X-Requested-With: XMLHttpRequest and on
//     /v1/auth, where the header is left out. Invalid or expired token: the
//     same 401 without WWW-Authenticate.
//   - A read-only account may GET, HEAD and OPTIONS. Its POST, PUT, PATCH or
//     DELETE (judged on the ORIGINAL method) is refused: via Basic with the
//     bad-password 401 (with WWW-Authenticate), via a token with 403
//     `{"errors": [ { "detail": "Administrative access required" } ] }`.
//     A valid token whose user no longer exists also gets that 403.
//   - WithDeviations switches the two WWW-Authenticate deviations
//     (DeviationTokenNoChallenge, DeviationXHRNoChallenge) off for the
//     documented profile, where every 401 challenges.
//   - Static replies carry the fixed body, Date (four-digit year, as
//     libmicrohttpd writes it) and Connection: close, and no Content-Type.
//
// # Security rule (never relaxed, in any profile)
//
// MaxScale 24.02.4 authorises on the original method but routes on
// X-HTTP-Method-Override, so a read-only account can kill sessions with
// GET + `X-HTTP-Method-Override: DELETE` (deviation
// `readonly-override-writes`, transcripts 263-265). The simulator never
// lets a read-only account write: Authorize answers 403 Administrative
// access required to any request by a read-only account whose override is
// anything but GET, HEAD or OPTIONS. EffectiveMethod then honours an
// override (upper case only; `patch` or `FOO` → 405, transcripts 192, 196)
// knowing that only admins' overrides can reach it.
//
// # Tokens
//
// HS256 with a key that is random per Authenticator unless WithSigningKey
// is given, so tokens die with the process as in MaxScale. The header is
// {"alg":"HS256"} and the claims are those of MaxScale 24.02 in its byte
// order: account, aud (= user), exp, iat, iss ("maxscale"), sub (= user).
// Lifetime: 8h by default, max-age=N when 1 ≤ N ≤ 2147483646, capped at
// WithMaxAge (admin_jwt_max_age, default 24h). persist=yes answers 204 with
// Set-Cookie: token_sig=<jwt>; Path=/[; Max-Age=N]; SameSite=Strict;
// HttpOnly. Not modelled: admin_secure_gui (the default MaxScale refuses
// /v1/auth over plain HTTP with 401 `Connection is not encrypted`; the
// observed 24.02.4 allowed it, and so does the simulator), CORS cookies
// (SameSite=None; Secure), admin_auth=false and host allow-lists.
//
// # API and call order (see Example)
//
//	a := New(DefaultUsers(), WithClock(clk), WithLogger(l))
//	d := a.Authorize(r)                  // 1. first: before routing and before reading the body
//	if !d.Allowed { d.Reply.Write(w) }   //    static 401/403
//	                                     // 2. read and parse the body (invalid JSON → 400)
//	if IsAuthEndpoint(r) { rep := a.TokenReply(r, d.Identity) }   // 3. /v1/auth
//	method, st := EffectiveMethod(r)     // 4. 405 for unknown or lower-case verbs
//	                                     // 5. route on method
//
// TokenReply's Reply is not static: the caller adds its usual headers
// (two-digit-year Date, X-Frame-Options, Cache-Control …) and marshals Doc
// when it is not nil, but sends no ETag or Last-Modified (MaxScale sends
// none on /v1/auth). Authenticate, Issue and Verify are the lower-level
// pieces.
package auth
