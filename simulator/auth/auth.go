package auth

import (
	"crypto/rand"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/mxharness/mxharness/simulator/jsonapi"
)

// Sentinel errors of Authenticate. They also tell which path failed:
// ErrNoCredentials and ErrBadCredentials are Basic failures, ErrInvalidToken
// and ErrUnknownTokenUser token (Bearer or cookie) failures.
var (
	ErrNoCredentials    = errors.New("no credentials")
	ErrBadCredentials   = errors.New("wrong user name or password")
	ErrInvalidToken     = errors.New("invalid or expired token")
	ErrUnknownTokenUser = errors.New("token subject is not a user")
)

// Source is where a request's credentials came from.
type Source string

// Credential sources, in the order MaxScale looks at them.
const (
	SourceCookie Source = "cookie" // token_sig cookie
	SourceBearer Source = "bearer" // Authorization: Bearer <jwt>
	SourceBasic  Source = "basic"  // Authorization: Basic
)

// Identity is an authenticated user.
type Identity struct {
	User    string
	Account Account
	Source  Source
}

// IsAdmin reports whether the identity may write.
func (id Identity) IsAdmin() bool { return id.Account == Admin }

// Static reply bodies, byte for byte what MaxScale sends (admin.cc).
const (
	AccessDeniedBody  = `{"errors": [ { "detail": "Access denied" } ] }`
	AdminRequiredBody = `{"errors": [ { "detail": "Administrative access required" } ] }`
)

// Reply is a reply this package decides. A static reply (Body set) is sent
// exactly as is, with only Header: no Content-Type, no Cache-Control, no
// X-Frame-Options. Otherwise Doc, when not nil, is a JSON tree the caller
// marshals (sorted, pretty unless ?pretty is falsy) with its usual headers
// (two-digit-year Date, Content-Type, X-Frame-Options …), adding Header.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
	Doc    any
}

// Static reports whether the reply is one of MaxScale's fixed-text replies.
func (rep Reply) Static() bool { return rep.Body != nil }

// Write sends a static reply. It keeps net/http from sniffing a
// Content-Type: MaxScale's static replies have none.
func (rep Reply) Write(w http.ResponseWriter) {
	h := w.Header()
	for k, vs := range rep.Header {
		h[k] = vs
	}
	if _, set := h["Content-Type"]; !set {
		h["Content-Type"] = nil
	}
	w.WriteHeader(rep.Status)
	_, _ = w.Write(rep.Body)
}

// Decision is the outcome of Authorize: either Allowed with the Identity
// (zero for the unauthenticated logout request), or a Reply to send
// instead of handling the request.
type Decision struct {
	Allowed  bool
	Identity Identity
	Reply    Reply
}

// Authenticator checks REST API credentials and issues tokens. It is safe
// for concurrent use; its users and key are fixed at New.
type Authenticator struct {
	users  userDB
	key    []byte
	maxAge time.Duration
	now    func() time.Time
	log    *slog.Logger
	// observed reports whether a deviation of MaxScale 24.02.4 from its
	// documentation is reproduced.
	observed func(id string) bool
}

// Ids of the observed deviations (spec x-observed) this package follows
// when the profile reproduces them.
const (
	// DeviationTokenNoChallenge: a 401 for a bad token or on /v1/auth has
	// no WWW-Authenticate (cases 244, 248, 249).
	DeviationTokenNoChallenge = "token-401-no-www-authenticate"
	// DeviationXHRNoChallenge: a 401 to an XMLHttpRequest has no
	// WWW-Authenticate (case 238).
	DeviationXHRNoChallenge = "xhr-401-no-www-authenticate"
)

// Option configures an Authenticator.
type Option func(*Authenticator)

// WithSigningKey sets the HS256 key. Without it (or with an empty key) the
// key is 32 random bytes per Authenticator, so tokens die with the process
// as they do with MaxScale.
func WithSigningKey(key []byte) Option {
	return func(a *Authenticator) {
		if len(key) > 0 {
			a.key = append([]byte(nil), key...)
		}
	}
}

// WithMaxAge sets admin_jwt_max_age, the longest token lifetime (default
// 24h, at least one second). A shorter value also lowers the default
// lifetime of 8h.
func WithMaxAge(d time.Duration) Option {
	return func(a *Authenticator) { a.maxAge = max(d.Truncate(time.Second), time.Second) }
}

// WithClock sets the time source for issuing and checking tokens and for
// the Date header of static replies.
func WithClock(now func() time.Time) Option {
	return func(a *Authenticator) {
		if now != nil {
			a.now = now
		}
	}
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(a *Authenticator) {
		if l != nil {
			a.log = l
		}
	}
}

// WithDeviations selects which observed deviations (DeviationTokenNoChallenge,
// DeviationXHRNoChallenge) are reproduced: observed(id) true means behave
// like MaxScale 24.02.4, false like its documentation (every 401 carries
// WWW-Authenticate). The default reproduces all (profile maxscale-24.02).
// The security deviation readonly-override-writes is never reproduced and
// never asked about.
func WithDeviations(observed func(id string) bool) Option {
	return func(a *Authenticator) {
		if observed != nil {
			a.observed = observed
		}
	}
}

// New returns an Authenticator for users.
func New(users []User, opts ...Option) *Authenticator {
	a := &Authenticator{
		users:    newUserDB(users),
		maxAge:   24 * time.Hour,
		now:      time.Now,
		log:      slog.New(slog.DiscardHandler),
		observed: func(string) bool { return true },
	}
	for _, o := range opts {
		o(a)
	}
	if a.key == nil {
		a.key = make([]byte, 32)
		_, _ = rand.Read(a.key) // never fails (crypto/rand panics rather than return an error)
	}
	a.log = a.log.With("component", "auth")
	return a
}

// IsAuthEndpoint reports whether r is for /v1/auth (also /auth and with
// trailing slashes, as MaxScale splits paths).
func IsAuthEndpoint(r *http.Request) bool {
	// The path's non-empty segments, without a slice: every request asks
	// (twice), and at most two of them can make /v1/auth.
	var segs [2]string
	n := 0
	for s := range strings.SplitSeq(r.URL.Path, "/") {
		if s == "" {
			continue
		}
		if n == len(segs) {
			return false
		}
		segs[n], n = s, n+1
	}
	return n == 1 && segs[0] == "auth" || n == 2 && segs[0] == "v1" && segs[1] == "auth"
}

// Authenticate finds r's credentials in MaxScale's order — token_sig
// cookie, then Authorization: Bearer, then HTTP Basic — and checks them.
// On /v1/auth only Basic counts. It does not judge the method; see
// Authorize.
func (a *Authenticator) Authenticate(r *http.Request) (Identity, error) {
	if !IsAuthEndpoint(r) {
		if c, err := r.Cookie(cookieName); err == nil && c.Value != "" {
			return a.tokenIdentity(c.Value, SourceCookie)
		}
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			return a.tokenIdentity(tok, SourceBearer)
		}
	}
	user, pw, ok := r.BasicAuth()
	if !ok {
		return Identity{}, ErrNoCredentials
	}
	acct, ok := a.users.verify(user, pw)
	if !ok {
		return Identity{}, ErrBadCredentials
	}
	return Identity{User: user, Account: acct, Source: SourceBasic}, nil
}

func (a *Authenticator) tokenIdentity(token string, src Source) (Identity, error) {
	user, err := a.Verify(token)
	if err != nil {
		return Identity{}, err
	}
	acct, ok := a.users.account(user)
	if !ok {
		return Identity{}, ErrUnknownTokenUser
	}
	return Identity{User: user, Account: acct, Source: src}, nil
}

// Authorize decides whether r may proceed, judging the ORIGINAL method as
// MaxScale does, plus this project's rule that a read-only account never
// writes through X-HTTP-Method-Override. Call it first, before routing and
// before reading the body. /v1/auth?logout=<truthy> is allowed without
// credentials (zero Identity).
func (a *Authenticator) Authorize(r *http.Request) Decision {
	if isLogout(r) {
		return Decision{Allowed: true}
	}
	id, err := a.Authenticate(r)
	ctx := r.Context()
	if err != nil {
		a.log.InfoContext(ctx, "authentication failed", "method", r.Method, "path", r.URL.Path, "err", err)
		switch {
		case errors.Is(err, ErrUnknownTokenUser):
			return a.deny(http.StatusForbidden, AdminRequiredBody, false)
		case errors.Is(err, ErrInvalidToken):
			return a.unauthorized(r, true)
		}
		return a.unauthorized(r, false)
	}
	if modifiesData(r.Method) && !id.IsAdmin() {
		a.log.InfoContext(ctx, "administrative access required",
			"user", id.User, "source", string(id.Source), "method", r.Method, "path", r.URL.Path)
		if id.Source == SourceBasic {
			// MaxScale sends a Basic authorisation failure down the bad-password path.
			return a.unauthorized(r, false)
		}
		return a.deny(http.StatusForbidden, AdminRequiredBody, false)
	}
	if o := r.Header.Get(overrideHeader); o != "" && !id.IsAdmin() && !readOnlyVerb(o) {
		// Project rule (deviation readonly-override-writes, never reproduced).
		a.log.WarnContext(ctx, "read-only account tried to write through a method override",
			"user", id.User, "method", r.Method, "override", o, "path", r.URL.Path)
		return a.deny(http.StatusForbidden, AdminRequiredBody, false)
	}
	return Decision{Allowed: true, Identity: id}
}

// unauthorized is the 401 Access denied. MaxScale 24.02.4 adds
// WWW-Authenticate only on the Basic path outside /v1/auth and only when
// the request is not an XMLHttpRequest; the documentation promises it on
// every 401.
func (a *Authenticator) unauthorized(r *http.Request, tokenPath bool) Decision {
	quiet := (tokenPath || IsAuthEndpoint(r)) && a.observed(DeviationTokenNoChallenge) ||
		r.Header.Get("X-Requested-With") == "XMLHttpRequest" && a.observed(DeviationXHRNoChallenge)
	return a.deny(http.StatusUnauthorized, AccessDeniedBody, !quiet)
}

func (a *Authenticator) deny(status int, body string, challenge bool) Decision {
	return Decision{Reply: a.staticReply(status, body, challenge)}
}

// staticReply builds a fixed-text reply. MaxScale closes the connection
// after an authentication failure, and libmicrohttpd's own Date header
// has a four-digit year.
func (a *Authenticator) staticReply(status int, body string, challenge bool) Reply {
	h := http.Header{}
	h.Set("Date", jsonapi.HTTPDate(a.now()))
	h.Set("Connection", "close")
	if challenge {
		h.Set("WWW-Authenticate", `Basic realm="maxscale"`)
	}
	return Reply{Status: status, Header: h, Body: []byte(body)}
}

const overrideHeader = "X-HTTP-Method-Override"

func modifiesData(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch:
		return true
	}
	return false
}

func readOnlyVerb(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return false
}

// EffectiveMethod returns the verb used for routing: X-HTTP-Method-Override
// when present and not empty, else r.Method. The verb must be one of GET,
// PUT, PATCH, POST, DELETE, OPTIONS, HEAD, exactly in upper case; anything
// else (`patch`, `FOO`) gives status 405 (empty body, no Allow header),
// otherwise status is 200. Call it only after Authorize allowed r: Authorize
// has already refused every override by a read-only account that is not
// GET, HEAD or OPTIONS, so only admins' overrides can change what is done.
func EffectiveMethod(r *http.Request) (method string, status int) {
	method = r.Method
	if o := r.Header.Get(overrideHeader); o != "" {
		method = o
	}
	if readOnlyVerb(method) || modifiesData(method) {
		return method, http.StatusOK
	}
	return method, http.StatusMethodNotAllowed
}
