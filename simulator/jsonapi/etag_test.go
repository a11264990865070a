package jsonapi

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestETag(t *testing.T) {
	head := loadTranscript(t, "084-cond-head")
	if got := ETag(nil); got != head.headers["ETag"] {
		t.Errorf("ETag(empty) = %s, want %s (HEAD reply)", got, head.headers["ETag"])
	}
	if got, want := ETag([]byte("abc")), `"a9993e364706816aba3e25717850c26c9cd0d89d"`; got != want {
		t.Errorf("ETag(abc) = %s, want %s", got, want)
	}
}

func TestDates(t *testing.T) {
	tr := loadTranscript(t, "003-get-one")
	at := time.Date(2026, time.November, 26, 19, 35, 54, 0, time.UTC)
	if got := DateHeader(at.In(time.FixedZone("x", 3600))); got != tr.headers["Date"] {
		t.Errorf("DateHeader = %q, want %q", got, tr.headers["Date"])
	}
	lm := time.Date(2026, time.November, 26, 19, 13, 19, 0, time.UTC)
	if got := HTTPDate(lm); got != tr.headers["Last-Modified"] {
		t.Errorf("HTTPDate = %q, want %q", got, tr.headers["Last-Modified"])
	}
	tests := []struct {
		in   string
		want time.Time
	}{
		{"Thu, 26 Nov 2026 19:13:19 GMT", lm},
		{"Thu, 26 Nov 2026 19:13:19 GMT trailing", lm},
		{"yesterday", veryOld},
		{"", veryOld},
		{"Thu, 26 Nov 26 19:13:19 GMT", veryOld},
	}
	for _, tc := range tests {
		if got := ParseHTTPDate(tc.in); !got.Equal(tc.want) {
			t.Errorf("ParseHTTPDate(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestEvaluateMaxScaleTranscripts replays cases 072-094. lastMod is the
// Last-Modified of sessions/115 at the time (process start until the
// successful PATCH of 089); the current GET ETag is always new, because the
// session's counters move.
func TestEvaluateMaxScaleTranscripts(t *testing.T) {
	start := time.Date(2026, time.November, 26, 19, 13, 19, 0, time.UTC)
	afterPatch := time.Date(2026, time.November, 26, 19, 36, 7, 0, time.UTC)
	const freshGET = `"ffffffffffffffffffffffffffffffffffffffff"`
	tests := []struct {
		name    string
		lastMod time.Time
		etag    string
		want    Outcome
	}{
		{"072-cond-get-1", start, freshGET, Proceed},
		{"074-cond-if-none-match-old", start, freshGET, AsIs},
		{"075-cond-if-none-match-old-fields", start, freshGET, AsIs},
		{"076-cond-if-none-match-wrong", start, freshGET, AsIs},
		{"077-cond-if-modified-since-lm", start, freshGET, NotModified},
		{"078-cond-if-modified-since-old", start, freshGET, AsIs},
		{"079-cond-if-modified-since-future", start, freshGET, NotModified},
		{"080-cond-if-modified-since-garbage", start, freshGET, AsIs},
		{"081-cond-if-unmodified-since-old", start, freshGET, PreconditionFailed},
		{"082-cond-if-match-wrong-get", start, freshGET, PreconditionFailed},
		{"083-cond-if-match-old-get", start, freshGET, PreconditionFailed},
		{"084-cond-head", start, ETag(nil), Proceed},
		{"086-cond-patch-if-match-wrong", start, ETag(nil), PreconditionFailed},
		{"088-cond-if-modified-since-lm-after-write", start, freshGET, NotModified},
		{"089-cond-patch-if-match-empty-etag", start, ETag(nil), Proceed},
		{"091-cond-get-3", afterPatch, freshGET, Proceed},
		{"092-cond-patch-if-match-get-etag", afterPatch, ETag(nil), PreconditionFailed},
	}
	statusOf := map[Outcome]int{Proceed: 200, AsIs: 200, NotModified: 304, PreconditionFailed: 412}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := loadTranscript(t, tc.name)
			c := ConditionsFromHeader(tr.requestHeaders)
			got := c.EvaluateMaxScale(Validators{ETag: tc.etag, LastModified: tc.lastMod})
			if got != tc.want {
				t.Errorf("EvaluateMaxScale(%+v) = %v, want %v", c, got, tc.want)
			}
			if statusOf[got] != tr.status {
				t.Errorf("status %d, transcript %d", statusOf[got], tr.status)
			}
			// AsIs replies carry no ETag; Proceed replies to GET/HEAD do.
			if _, hasETag := tr.headers["ETag"]; tr.status == 200 && hasETag != (got == Proceed) &&
				tc.etag != ETag(nil) {
				t.Errorf("transcript ETag present = %v with outcome %v", hasETag, got)
			}
		})
	}
}

func TestEvaluateRFC7232(t *testing.T) {
	lm := time.Date(2026, time.November, 26, 19, 13, 19, 0, time.UTC)
	v := Validators{ETag: `"abc"`, LastModified: lm.Add(300 * time.Millisecond)}
	before, same, after := HTTPDate(lm.Add(-time.Second)), HTTPDate(lm), HTTPDate(lm.Add(time.Second))
	tests := []struct {
		name   string
		method string
		c      Conditions
		exists bool
		want   Outcome
	}{
		{"no conditions", "GET", Conditions{}, true, Proceed},
		{"if-match equal", "PATCH", Conditions{IfMatch: `"abc"`}, true, Proceed},
		{"if-match in list", "PATCH", Conditions{IfMatch: `"x", "abc"`}, true, Proceed},
		{"if-match weak never matches", "PATCH", Conditions{IfMatch: `W/"abc"`}, true, PreconditionFailed},
		{"if-match other", "PATCH", Conditions{IfMatch: `"x"`}, true, PreconditionFailed},
		{"if-match star", "DELETE", Conditions{IfMatch: "*"}, true, Proceed},
		{"if-match star missing", "DELETE", Conditions{IfMatch: "*"}, false, PreconditionFailed},
		{"if-match beats if-unmodified-since", "PATCH", Conditions{IfMatch: `"abc"`, IfUnmodifiedSince: before}, true, Proceed},
		{"if-unmodified-since older", "PATCH", Conditions{IfUnmodifiedSince: before}, true, PreconditionFailed},
		{"if-unmodified-since same", "PATCH", Conditions{IfUnmodifiedSince: same}, true, Proceed},
		{"if-unmodified-since invalid ignored", "PATCH", Conditions{IfUnmodifiedSince: "yesterday"}, true, Proceed},
		{"if-none-match equal get", "GET", Conditions{IfNoneMatch: `"abc"`}, true, NotModified},
		{"if-none-match weak equal head", "HEAD", Conditions{IfNoneMatch: `W/"abc"`}, true, NotModified},
		{"if-none-match equal patch", "PATCH", Conditions{IfNoneMatch: `"abc"`}, true, PreconditionFailed},
		{"if-none-match other", "GET", Conditions{IfNoneMatch: `"x"`}, true, Proceed},
		{"if-none-match other beats ims", "GET", Conditions{IfNoneMatch: `"x"`, IfModifiedSince: after}, true, Proceed},
		{"if-none-match star", "GET", Conditions{IfNoneMatch: "*"}, true, NotModified},
		{"if-modified-since same", "GET", Conditions{IfModifiedSince: same}, true, NotModified},
		{"if-modified-since older", "GET", Conditions{IfModifiedSince: before}, true, Proceed},
		{"if-modified-since on patch ignored", "PATCH", Conditions{IfModifiedSince: after}, true, Proceed},
		{"if-modified-since invalid ignored", "GET", Conditions{IfModifiedSince: "yesterday"}, true, Proceed},
	}
	for _, tc := range tests {
		if got := tc.c.EvaluateRFC7232(tc.method, v, tc.exists); got != tc.want {
			t.Errorf("%s: EvaluateRFC7232 = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestLastModified(t *testing.T) {
	start := time.Date(2026, time.November, 26, 19, 13, 19, 500, time.UTC)
	lm := NewLastModified(start)
	write := start.Add(time.Hour)
	lm.Stamp(URIKey("/v1/sessions/5/restart"), write)
	tests := []struct {
		key  string
		want time.Time
	}{
		{"sessions/5/restart", write.Truncate(time.Second)},
		{"sessions/5", write.Truncate(time.Second)},
		{"sessions", write.Truncate(time.Second)},
		{"sessions/6", start.Truncate(time.Second)},
		{"services", start.Truncate(time.Second)},
	}
	for _, tc := range tests {
		if got := lm.Get(tc.key); !got.Equal(tc.want) {
			t.Errorf("Get(%q) = %v, want %v", tc.key, got, tc.want)
		}
	}
	for in, want := range map[string]string{
		"/v1/sessions/115/": "sessions/115", "/sessions/115": "sessions/115", "/v1/sessions": "sessions",
		"/v1//sessions//5": "sessions/5", "/v1/": "", "/v1/v1": "v1",
	} {
		if got := URIKey(in); got != want {
			t.Errorf("URIKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLastModifiedConcurrent(t *testing.T) {
	lm := NewLastModified(time.Unix(0, 0))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 100 {
				key := fmt.Sprintf("sessions/%d", i*100+j)
				lm.Stamp(key, time.Unix(int64(j+1), 0))
				lm.Get("sessions")
			}
		})
	}
	wg.Wait()
	if got := lm.Get("sessions/799"); !got.Equal(time.Unix(100, 0)) {
		t.Errorf("Get(sessions/799) = %v", got)
	}
}

func TestEvaluateMaxScaleRules(t *testing.T) {
	lm := time.Date(2026, time.November, 26, 19, 13, 19, 0, time.UTC)
	v := Validators{ETag: `"abc"`, LastModified: lm.Add(900 * time.Millisecond)}
	before, same := HTTPDate(lm.Add(-time.Second)), HTTPDate(lm)
	tests := []struct {
		name string
		c    Conditions
		want Outcome
	}{
		{"if-unmodified-since garbage is very old", Conditions{IfUnmodifiedSince: "garbage"}, PreconditionFailed},
		{"if-unmodified-since same second", Conditions{IfUnmodifiedSince: same}, Proceed},
		{"if-match star is not special", Conditions{IfMatch: "*"}, PreconditionFailed},
		{"if-match list is not split", Conditions{IfMatch: `"x", "abc"`}, PreconditionFailed},
		{"if-match wins over if-none-match", Conditions{IfMatch: `"x"`, IfNoneMatch: `"abc"`}, PreconditionFailed},
		{"if-match equal then if-none-match equal", Conditions{IfMatch: `"abc"`, IfNoneMatch: `"abc"`}, NotModified},
		{"if-none-match equal", Conditions{IfNoneMatch: `"abc"`}, NotModified},
		{"if-none-match weak", Conditions{IfNoneMatch: `W/"abc"`}, AsIs},
		{"both, modified-since older", Conditions{IfNoneMatch: `"abc"`, IfModifiedSince: before}, AsIs},
		{"both, modified-since same", Conditions{IfNoneMatch: `"abc"`, IfModifiedSince: same}, NotModified},
		{"modified-since same second", Conditions{IfModifiedSince: same}, NotModified},
	}
	for _, tc := range tests {
		if got := tc.c.EvaluateMaxScale(v); got != tc.want {
			t.Errorf("%s: EvaluateMaxScale = %v, want %v", tc.name, got, tc.want)
		}
	}
}
