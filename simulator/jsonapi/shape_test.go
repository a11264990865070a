package jsonapi

import (
	"bytes"
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
)

// volatile attributes change between two captures of the same session;
// normalise replaces them with fixed values of the same JSON type so that
// a shaped capture can be compared byte for byte with another capture.
func normalise(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, el := range x {
			switch k {
			case "idle":
				x[k] = 1.5
			case "seconds_alive":
				x[k] = 2.25
			case "io_activity":
				x[k] = int64(7)
			default:
				x[k] = normalise(el)
			}
		}
	case []any:
		for i, el := range x {
			x[i] = normalise(el)
		}
	}
	return v
}

// Unshaped documents captured around the shaped cases: the single session
// 115 (029 has an empty fields value, which does nothing), the collection
// of 115 and 116 (061 has page[size]=0, which is ignored) and the empty
// collection.
const (
	baseSingle     = "029-fields-empty"
	baseCollection = "061-page-size0"
	baseEmpty      = "001-zero-sessions"
)

func TestShapeAgainstTranscripts(t *testing.T) {
	tests := []struct {
		name string
		base string
	}{
		{"020-fields-user-state", baseSingle},
		{"021-fields-user-state-collection", baseCollection},
		{"022-fields-connection-attributes", baseSingle},
		{"023-fields-unknown-pointer", baseSingle},
		{"024-fields-unknown-nested", baseSingle},
		{"025-fields-relationship", baseSingle},
		{"026-fields-attributes-prefix", baseSingle},
		{"027-fields-array-index", baseSingle},
		{"028-fields-wrong-type", baseSingle},
		{"029-fields-empty", baseSingle},
		{"030-filter-pointer-user", baseCollection},
		{"031-filter-pointer-nomatch", baseCollection},
		{"032-filter-id-range", baseCollection},
		{"033-filter-id-or", baseCollection},
		{"034-filter-id-range-none", baseCollection},
		{"035-filter-id-gt0", baseCollection},
		{"036-filter-idle-gt-int", baseCollection},
		{"037-filter-port-gt-int", baseCollection},
		{"038-filter-id-eq-string", baseCollection},
		{"039-filter-id-eq-number", baseCollection},
		{"040-filter-service-doc", baseCollection},
		{"041-filter-jsonpath-user", baseCollection},
		{"042-filter-jsonpath-state", baseCollection},
		{"043-filter-jsonpath-two", baseCollection},
		{"044-filter-malformed-paren", baseCollection},
		{"045-filter-malformed-func", baseCollection},
		{"046-filter-malformed-json", baseCollection},
		{"047-filter-bare-true", baseCollection},
		{"048-filter-space", baseCollection},
		{"049-filter-empty-expr", baseCollection},
		{"050-filter-jsonpath-malformed", baseCollection},
		{"051-filter-single-pointer", baseSingle},
		{"052-filter-single-jsonpath", baseSingle},
		{"053-filter-single-malformed", baseSingle},
		{"054-filter-no-equals", baseCollection},
		{"056-page-size1-number0", baseCollection},
		{"057-page-size1-number1", baseCollection},
		{"058-page-size1-number5", baseCollection},
		{"059-page-size1-only", baseCollection},
		{"060-page-size5", baseCollection},
		{"061-page-size0", baseCollection},
		{"062-page-size-abc", baseCollection},
		{"063-page-size-1x", baseCollection},
		{"064-page-number-only", baseCollection},
		{"065-page-single", baseSingle},
		{"066-page-with-filter", baseCollection},
		{"067-pretty-false", baseSingle},
		{"068-pretty-true", baseSingle},
		{"069-pretty-off", baseSingle},
		{"070-pretty-banana", baseSingle},
		{"071-pretty-false-collection", baseCollection},
		{"303-zero-sessions-page", baseEmpty},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := loadTranscript(t, tc.name)
			base := normalise(loadTranscript(t, tc.base).tree(t))
			q := ParseQuery(tr.query())
			shaped, _, err := Shape(base, q, Options{})
			if tr.status != http.StatusOK {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("Shape error = %v, want status %d", err, tr.status)
				}
				if e.Status != tr.status {
					t.Errorf("status = %d, want %d", e.Status, tr.status)
				}
				if got := marshalErrorBody(e.Details, Pretty(q)); !bytes.Equal(got, tr.body) {
					t.Errorf("error body\n got: %q\nwant: %q", got, tr.body)
				}
				return
			}
			if err != nil {
				t.Fatalf("Shape: %v", err)
			}
			want := Marshal(normalise(tr.tree(t)), Pretty(q))
			if got := Marshal(shaped, Pretty(q)); !bytes.Equal(got, want) {
				t.Errorf("shaped body differs\n got: %s\nwant: %s", got, want)
			}
		})
	}
}

// marshalErrorBody is what the simulator sends for an error: nothing, or
// the error document.
func marshalErrorBody(details []string, pretty bool) []byte {
	doc := ErrorDocument(details)
	if doc == nil {
		return []byte{}
	}
	return Marshal(doc, pretty)
}

// TestShapeLoggedFilterWarning covers 054 and 055: `filter=id` succeeds
// unfiltered but logs a message that heads the next error reply.
func TestShapeLoggedFilterWarning(t *testing.T) {
	ok054 := loadTranscript(t, "054-filter-no-equals")
	next := loadTranscript(t, "055-error-after-filter-no-equals")
	base := loadTranscript(t, baseCollection).tree(t)
	_, logged, err := Shape(base, ParseQuery(ok054.query()), Options{})
	if err != nil {
		t.Fatalf("Shape: %v", err)
	}
	details := append(logged, "abc is not a session")
	if got := marshalErrorBody(details, true); !bytes.Equal(got, next.body) {
		t.Errorf("next error body\n got: %s\nwant: %s", got, next.body)
	}

	// Within one request the logged text precedes a later failure.
	_, _, err = Shape(base, ParseQuery("filter=id&filter[attributes.user]=x"), Options{})
	var e *Error
	if !errors.As(err, &e) || len(e.Details) != 2 || e.Details[0] != "Invalid filter expression: id" ||
		e.Details[1] != "Not a valid filter expression: x" {
		t.Errorf("Shape error = %#v", err)
	}
}

func TestShapeDocumentedPathFilterOnSingle(t *testing.T) {
	base := loadTranscript(t, baseSingle).tree(t)
	want := Marshal(base, true)
	got, _, err := Shape(base, ParseQuery("filter[attributes.user]=eq(%22nobody%22)"),
		Options{IgnorePathFilterWithoutRows: true})
	if err != nil {
		t.Fatalf("Shape: %v", err)
	}
	if !bytes.Equal(Marshal(got, true), want) {
		t.Error("documented profile changed a single resource")
	}
	// A malformed expression is still a 400 with its message.
	_, _, err = Shape(base, ParseQuery("filter[attributes.user]=foo"), Options{IgnorePathFilterWithoutRows: true})
	var e *Error
	if !errors.As(err, &e) || e.Status != 400 || len(e.Details) != 1 {
		t.Errorf("Shape error = %#v, want 400 with one detail", err)
	}
}

func TestShapeWithoutData(t *testing.T) {
	errDoc := ErrorDocument([]string{"abc is not a session"})
	tests := []struct {
		name       string
		doc        any
		query      string
		wantStatus int // 0: success
		wantEmpty  bool
	}{
		{"empty body, no params", nil, "", 0, false},
		{"empty body, pointer filter", nil, "filter=/id=%221%22", 0, false},
		{"empty body, malformed pointer filter", nil, "filter=/id=foo", 400, false},
		{"empty body, path filter", nil, "filter[id]=%221%22", 400, true},
		{"error document, path filter", errDoc, "filter[$.id]=%221%22", 400, true},
		{"error document, page", errDoc, "page[size]=1", 0, false},
		{"error document, fields", errDoc, "fields[sessions]=user", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, err := Shape(tc.doc, ParseQuery(tc.query), Options{})
			if tc.wantStatus == 0 {
				if err != nil {
					t.Fatalf("Shape: %v", err)
				}
				if !bytes.Equal(Marshal(got, false), Marshal(tc.doc, false)) {
					t.Errorf("document changed: %s", Marshal(got, false))
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Status != tc.wantStatus || e.EmptyBody() != tc.wantEmpty {
				t.Errorf("Shape error = %#v, want status %d empty %v", err, tc.wantStatus, tc.wantEmpty)
			}
		})
	}
}

// TestShapeDoesNotModifyInput guards the simulator's own state, which it
// may hand to Shape directly.
func TestShapeDoesNotModifyInput(t *testing.T) {
	doc := loadTranscript(t, baseCollection).tree(t)
	before := Marshal(doc, false)
	for _, q := range []string{
		"fields[sessions]=client/connection_attributes,client/cipher,services,memory/connection_buffers/client",
		"page[size]=1&page[number]=1",
		"filter=/attributes/user=%22maxuser%22&filter[attributes.state]=%22Session%20started%22",
	} {
		if _, _, err := Shape(doc, ParseQuery(q), Options{}); err != nil {
			t.Fatalf("Shape(%s): %v", q, err)
		}
		if !bytes.Equal(Marshal(doc, false), before) {
			t.Fatalf("Shape(%s) modified its input", q)
		}
	}
}

func BenchmarkShape10000Sessions(b *testing.B) {
	doc := sessionFixture(b, 10000)
	for _, tc := range []struct{ name, query string }{
		{"none", ""},
		{"fields", "fields[sessions]=user,state,client/connection_attributes"},
		{"filter", "filter=/attributes/user=%22maxuser%22"},
		{"jsonpath", "filter[relationships.services.data[*].id]=eq(%22RW-Split-Router%22)"},
		{"page", "page[size]=100&page[number]=3"},
	} {
		q := ParseQuery(tc.query)
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := startCPU()
			defer cpu.report(b)
			for b.Loop() {
				if _, _, err := Shape(doc, q, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// MaxScale 23.08.6 has no filter expressions and no filter[]: shaping its
// unfiltered collection (002) with JSONValueFilters and IgnorePathFilters
// keeps the sessions it kept, and a single session stays itself.
func TestShapeLikeMaxScale2308(t *testing.T) {
	dir := filepath.Join("..", "..", "spec", "testdata", "observed-23.08.6")
	ids := func(doc any) []string {
		var out []string
		switch d := doc.(map[string]any)["data"].(type) {
		case []any:
			for _, row := range d {
				out = append(out, row.(map[string]any)["id"].(string))
			}
		case map[string]any:
			out = append(out, d["id"].(string))
		}
		return out
	}
	opts := Options{JSONValueFilters: true, IgnorePathFilters: true}
	for _, tc := range []struct{ name, base string }{
		{"008-filter-json-value", "002-get-all"},
		{"009-filter-expression-ignored", "002-get-all"},
		{"010-filter-malformed-ignored", "002-get-all"},
		{"011-filter-jsonpath-ignored", "002-get-all"},
		{"012-filter-jsonpath-single-ignored", "001-get-one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := loadTranscriptFrom(t, dir, tc.name)
			base := loadTranscriptFrom(t, dir, tc.base).tree(t)
			if tr.status != http.StatusOK {
				t.Fatalf("%s: status %d, want a 200 capture", tc.name, tr.status)
			}
			shaped, logged, err := Shape(base, ParseQuery(tr.query()), opts)
			if err != nil || len(logged) != 0 {
				t.Fatalf("Shape = %v, logged %q; want no error and nothing logged", err, logged)
			}
			if got, want := ids(shaped), ids(tr.tree(t)); !slices.Equal(got, want) {
				t.Errorf("sessions %v, want %v (as MaxScale 23.08.6 answered)", got, want)
			}
		})
	}
}
