package jsonapi

import (
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// ETag returns MaxScale's entity tag for a reply body: the lower-case hex
// SHA-1 of the bytes, in double quotes. MaxScale hashes the handler's body
// dumped compactly before fields/filter/page are applied, and an empty body
// (every write reply, every HEAD) gives
// "da39a3ee5e6b4b0d3255bfef95601890afd80709".
func ETag(body []byte) string {
	sum := sha1.Sum(body)
	return quotedHex(sum[:])
}

// quotedHex is `"` + hex.EncodeToString(sum) + `"` in one allocation
// instead of three: an entity tag is made on every GET.
func quotedHex(sum []byte) string {
	var tag [2 + 2*sha1.Size]byte
	tag[0], tag[len(tag)-1] = '"', '"'
	hex.Encode(tag[1:len(tag)-1], sum)
	return string(tag[:])
}

// ETagOf is ETag(Marshal(doc, false)) without building the compact dump:
// it streams the dump through the hash. For a collection of 10,000
// sessions that saves a 13 MB buffer per GET. An empty body is still
// ETag(nil): ETagOf(nil) hashes the text `null`.
func ETagOf(doc any) string {
	h := sha1.New()
	_ = MarshalTo(h, doc, false) // a hash.Hash never fails to write
	return quotedHex(h.Sum(nil))
}

// DigestOf is an ETag of doc that, like ETagOf, is the same for equal
// documents made the same way and differs when they differ, but hashes
// each Frozen part once: an Overlay counts as its fresh members and the
// digest of the frozen members it shows, kept with the Frozen. For 10,000
// frozen sessions it hashes ~1.5 MB instead of a 13 MB dump on every
// GET. A document without Frozen parts gets ETagOf's tag. Equal documents
// get equal tags only when their frozen parts are split the same way
// (the simulator renders every session through one Frozen pair).
func DigestOf(doc any) string {
	h := sha1.New()
	e := getEncoder(false, h)
	if cap(e.buf) < flushAt+flushAt/4 {
		e.buf = make([]byte, 0, flushAt+flushAt/4)
	}
	e.digest = true
	e.worker = true // one stream: the hash is sequential anyway
	e.value(doc, 0)
	e.flush()
	e.release()
	return quotedHex(h.Sum(nil))
}

// DateHeader formats t for MaxScale's Date header, which uses a two-digit
// year: "Thu, 26 Nov 26 19:35:54 GMT" (deviation date-two-digit-year).
func DateHeader(t time.Time) string {
	return t.UTC().Format("Mon, 02 Jan 06 15:04:05 GMT")
}

// HTTPDate formats t as an RFC 7231 IMF-fixdate with a four-digit year, as
// MaxScale writes Last-Modified and the session's `connected` attribute.
func HTTPDate(t time.Time) string {
	sec := t.Unix()
	slot := &httpDates[uint64(sec)%uint64(len(httpDates))]
	if d := slot.Load(); d != nil && d.sec == sec {
		return d.text
	}
	text := t.UTC().Format(http.TimeFormat)
	slot.Store(&httpDate{sec, text})
	return text
}

// httpDates are the dates HTTPDate formatted last, by their second (the
// format has no finer part): every reply has a Date and a Last-Modified,
// and formatting both was a tenth of a kept page's CPU.
var httpDates [8]atomic.Pointer[httpDate]

type httpDate struct {
	sec  int64
	text string
}

// veryOld is what an unparseable date becomes in MaxScale (strptime fails
// and leaves a zeroed struct tm: year 1900).
var veryOld = time.Date(1900, time.January, 1, 0, 0, 0, 0, time.UTC)

// ParseHTTPDate reads an HTTP date the way MaxScale does
// (strptime "%a, %d %b %Y %T GMT"); text after the date is ignored. A value
// that does not parse is a very old time (1900), so it precedes every
// Last-Modified.
func ParseHTTPDate(s string) time.Time {
	t, ok := parseIMFDate(s)
	if !ok {
		return veryOld
	}
	return t
}

func parseIMFDate(s string) (time.Time, bool) {
	const n = len("Mon, 02 Jan 2006 15:04:05 GMT")
	if len(s) < n {
		return time.Time{}, false
	}
	t, err := time.Parse(http.TimeFormat, s[:n])
	return t, err == nil
}

// Validators are what conditional headers are checked against.
type Validators struct {
	ETag         string    // quoted, as sent in the ETag header
	LastModified time.Time // compared at one-second resolution
}

// Conditions are a request's conditional headers; "" means absent.
type Conditions struct {
	IfMatch           string
	IfNoneMatch       string
	IfModifiedSince   string
	IfUnmodifiedSince string
}

// ConditionsFromHeader reads the four conditional headers.
func ConditionsFromHeader(h http.Header) Conditions {
	return Conditions{
		IfMatch:           h.Get("If-Match"),
		IfNoneMatch:       h.Get("If-None-Match"),
		IfModifiedSince:   h.Get("If-Modified-Since"),
		IfUnmodifiedSince: h.Get("If-Unmodified-Since"),
	}
}

// Outcome is the result of evaluating conditional headers.
type Outcome int

const (
	// Proceed: reply normally (shape the body, send ETag and
	// Last-Modified on GET/HEAD, stamp Last-Modified after a write).
	Proceed Outcome = iota
	// NotModified: 304 with an empty body.
	NotModified
	// PreconditionFailed: 412 with an empty body.
	PreconditionFailed
	// AsIs (MaxScale only): send the handler's reply unchanged, without
	// ETag/Last-Modified headers, without fields/filter/page, and without
	// stamping Last-Modified for a write.
	AsIs
)

func (o Outcome) String() string {
	switch o {
	case Proceed:
		return "proceed"
	case NotModified:
		return "304"
	case PreconditionFailed:
		return "412"
	case AsIs:
		return "as-is"
	}
	return "unknown"
}

// EvaluateMaxScale is MaxScale 24.02.4's check, run after the handler (so a
// write has already been applied; v.ETag is then the empty-body tag):
//
//  1. If-Unmodified-Since present and Last-Modified later than it, or
//     If-Match present and not exactly v.ETag → PreconditionFailed;
//  2. else if If-Modified-Since or If-None-Match present: when
//     (IMS absent or Last-Modified <= IMS) and (INM absent or INM exactly
//     v.ETag) → NotModified, otherwise AsIs;
//  3. else Proceed.
//
// Tags compare as exact strings (no `*`, lists or W/); dates that do not
// parse are very old.
func (c Conditions) EvaluateMaxScale(v Validators) Outcome {
	lastMod := v.LastModified.Truncate(time.Second)
	if c.IfUnmodifiedSince != "" && lastMod.After(ParseHTTPDate(c.IfUnmodifiedSince)) ||
		c.IfMatch != "" && c.IfMatch != v.ETag {
		return PreconditionFailed
	}
	if c.IfModifiedSince == "" && c.IfNoneMatch == "" {
		return Proceed
	}
	if (c.IfModifiedSince == "" || !lastMod.After(ParseHTTPDate(c.IfModifiedSince))) &&
		(c.IfNoneMatch == "" || c.IfNoneMatch == v.ETag) {
		return NotModified
	}
	return AsIs
}

// EvaluateRFC7232 is the documented behaviour (RFC 7232 §6), to run BEFORE
// a write is applied, with v describing the current representation (what
// a GET would return) and exists telling whether the target exists:
//
//  1. If-Match present: false (no strong match, `*` without a resource)
//     → PreconditionFailed;
//  2. else If-Unmodified-Since present, a valid date, and Last-Modified
//     later → PreconditionFailed;
//  3. If-None-Match present: true (weak match, `*` with a resource) →
//     NotModified for GET/HEAD, PreconditionFailed otherwise;
//  4. else for GET/HEAD, If-Modified-Since present, a valid date, and
//     Last-Modified not later → NotModified;
//  5. Proceed.
func (c Conditions) EvaluateRFC7232(method string, v Validators, exists bool) Outcome {
	lastMod := v.LastModified.Truncate(time.Second)
	safe := method == http.MethodGet || method == http.MethodHead
	if c.IfMatch != "" {
		if !tagListMatches(c.IfMatch, v.ETag, exists, strongMatch) {
			return PreconditionFailed
		}
	} else if t, ok := parseIMFDate(c.IfUnmodifiedSince); ok && lastMod.After(t) {
		return PreconditionFailed
	}
	if c.IfNoneMatch != "" {
		if tagListMatches(c.IfNoneMatch, v.ETag, exists, weakMatch) {
			if safe {
				return NotModified
			}
			return PreconditionFailed
		}
	} else if t, ok := parseIMFDate(c.IfModifiedSince); ok && safe && !lastMod.After(t) {
		return NotModified
	}
	return Proceed
}

// tagListMatches evaluates an If-Match / If-None-Match field value: `*`
// matches any existing representation, otherwise any listed tag that
// matches current under cmp.
func tagListMatches(field, current string, exists bool, cmp func(a, b string) bool) bool {
	if strings.TrimSpace(field) == "*" {
		return exists
	}
	if !exists || current == "" {
		return false
	}
	for tag := range strings.SplitSeq(field, ",") {
		if cmp(strings.TrimSpace(tag), current) {
			return true
		}
	}
	return false
}

// strongMatch: both tags strong and identical (RFC 7232 §2.3.2).
func strongMatch(a, b string) bool {
	return !strings.HasPrefix(a, "W/") && !strings.HasPrefix(b, "W/") && a == b
}

// weakMatch: identical opaque tags, ignoring W/.
func weakMatch(a, b string) bool {
	return strings.TrimPrefix(a, "W/") == strings.TrimPrefix(b, "W/")
}
