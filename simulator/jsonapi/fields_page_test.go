package jsonapi

import (
	"bytes"
	"errors"
	"testing"
)

func singleDoc(t testing.TB) any { return loadTranscript(t, baseSingle).tree(t) }

func collectionDoc(t testing.TB) any { return loadTranscript(t, baseCollection).tree(t) }

func shapeJSON(t *testing.T, doc any, query string) string {
	t.Helper()
	got, _, err := Shape(doc, ParseQuery(query), Options{})
	if err != nil {
		t.Fatalf("Shape(%s): %v", query, err)
	}
	return string(Marshal(got, false))
}

func TestSparseFields(t *testing.T) {
	const (
		self    = `"id":"115","links":{"self":"http://127.0.0.1:8989/v1/sessions/115/"}`
		docLink = `"links":{"self":"http://127.0.0.1:8989/v1/sessions/115/"}`
	)
	tests := []struct{ query, want string }{
		{"fields[sessions]=client/cipher,client/connection_attributes/_os",
			`{"data":{"attributes":{"client":{"cipher":"","connection_attributes":{"_os":"Linux"}}},` + self + `,"type":"sessions"},` + docLink + `}`},
		{"fields[SESSIONS]=user", `{"data":{"attributes":{"user":"maxuser"},` + self + `,"type":"sessions"},` + docLink + `}`},
		{"fields[sessions]=user,user,,", `{"data":{"attributes":{"user":"maxuser"},` + self + `,"type":"sessions"},` + docLink + `}`},
		{"fields[sessions]=client//cipher/", `{"data":{"attributes":{"client":{"cipher":""}},` + self + `,"type":"sessions"},` + docLink + `}`},
		{"fields[sessions]=,,", `{"data":{` + self + `,"type":"sessions"},` + docLink + `}`},
		{"fields[sessions]=services/data", `{"data":{` + self + `,"relationships":{"services":{"data":[{"id":"RW-Split-Router","type":"services"}]}},"type":"sessions"},` + docLink + `}`},
		{"fields[sessions]=user&fields[services]=x", `{"data":{"attributes":{"user":"maxuser"},` + self + `,"type":"sessions"},` + docLink + `}`},
		{"fields[sessions]=user/x", `{"data":{"attributes":{"user":"maxuser"},` + self + `,"type":"sessions"},` + docLink + `}`},
	}
	for _, tc := range tests {
		if got := shapeJSON(t, singleDoc(t), tc.query); got != tc.want {
			t.Errorf("%s\n got: %s\nwant: %s", tc.query, got, tc.want)
		}
	}
	// An item of only slashes keeps everything (strtok yields no component).
	full := Marshal(singleDoc(t), false)
	if got := shapeJSON(t, singleDoc(t), "fields[sessions]=/"); got != string(full) {
		t.Errorf("fields[sessions]=/ changed the resource: %s", got)
	}
}

func TestPaging(t *testing.T) {
	const base = "http://127.0.0.1:8989/v1/sessions/?page%5Bsize%5D="
	tests := []struct {
		query            string
		ids              []string
		wantPaged        bool
		self, last, next string
		prev             string
	}{
		{"page[size]=1&page[number]=0", []string{"115"}, true, "1&page%5Bnumber%5D=0", "1&page%5Bnumber%5D=1", "1&page%5Bnumber%5D=1", ""},
		{"page[size]=1&page[number]=1", []string{"116"}, true, "1&page%5Bnumber%5D=1", "1&page%5Bnumber%5D=1", "", "1&page%5Bnumber%5D=0"},
		{"page[size]=1&page[number]=2", nil, true, "1&page%5Bnumber%5D=2", "1&page%5Bnumber%5D=1", "", ""},
		{"page[size]=2", []string{"115", "116"}, true, "2&page%5Bnumber%5D=0", "2&page%5Bnumber%5D=0", "", ""},
		{"page[size]=2&page[number]=1", []string{"115", "116"}, true, "2&page%5Bnumber%5D=1", "2&page%5Bnumber%5D=0", "", ""},
		{"page[size]=%201&page[number]=x", []string{"115"}, true, "1&page%5Bnumber%5D=0", "1&page%5Bnumber%5D=1", "1&page%5Bnumber%5D=1", ""},
		{"page[size]=1&page[number]=-1", []string{"115", "116"}, false, "", "", "", ""},
		{"page[size]=-1", []string{"115", "116"}, false, "", "", "", ""},
		{"page[number]=1", []string{"115", "116"}, false, "", "", "", ""},
		{"page[size]=9223372036854775807&page[number]=1", []string{"115", "116"}, true,
			"9223372036854775807&page%5Bnumber%5D=1", "9223372036854775807&page%5Bnumber%5D=-2", "9223372036854775807&page%5Bnumber%5D=2", ""},
		{"page[size]=9223372036854775807&page[number]=2", []string{"115", "116"}, true,
			"9223372036854775807&page%5Bnumber%5D=2", "9223372036854775807&page%5Bnumber%5D=-2", "", "9223372036854775807&page%5Bnumber%5D=1"},
		{"page[size]=1&page[number]=9223372036854775807", nil, true,
			"1&page%5Bnumber%5D=9223372036854775807", "1&page%5Bnumber%5D=1", "1&page%5Bnumber%5D=-9223372036854775808", ""},
	}
	// The last three rows show int64 wrap-around, which MaxScale's C++
	// arithmetic shares: nonsense links, but the same nonsense.
	for _, tc := range tests {
		got, _, err := Shape(collectionDoc(t), ParseQuery(tc.query), Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.query, err)
		}
		doc := got.(map[string]any)
		var ids []string
		for _, row := range doc["data"].([]any) {
			ids = append(ids, row.(map[string]any)["id"].(string))
		}
		if !jsonEqual(convertSlice(ids), convertSlice(tc.ids)) {
			t.Errorf("%s: ids = %v, want %v", tc.query, ids, tc.ids)
		}
		_, hasMeta := doc["meta"]
		if hasMeta != tc.wantPaged {
			t.Errorf("%s: meta present = %v, want %v", tc.query, hasMeta, tc.wantPaged)
		}
		if !tc.wantPaged {
			continue
		}
		links := doc["links"].(map[string]any)
		for name, want := range map[string]string{"self": tc.self, "last": tc.last, "next": tc.next, "prev": tc.prev, "first": "x"} {
			got, ok := links[name].(string)
			switch {
			case name == "first":
				if !ok {
					t.Errorf("%s: no first link", tc.query)
				}
			case want == "" && ok:
				t.Errorf("%s: unexpected %s link %s", tc.query, name, got)
			case want != "" && got != base+want:
				t.Errorf("%s: %s = %q, want %q", tc.query, name, got, base+want)
			}
		}
	}
}

// TestPagingKeepsExistingLinks: a resource that brings its own paging links
// (MaxScale's log endpoint) keeps them; meta.total is still set.
func TestPagingKeepsExistingLinks(t *testing.T) {
	doc := map[string]any{
		"data":  []any{int64(1), int64(2), int64(3)},
		"links": map[string]any{"self": "s", "next": "n"},
		"meta":  map[string]any{"other": true},
	}
	got := shapeJSON(t, doc, "page[size]=2&page[number]=1")
	want := `{"data":[3],"links":{"next":"n","self":"s"},"meta":{"other":true,"total":3}}`
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// FuzzShapeQuery runs arbitrary query strings through Shape over the
// two-session collection and the single session: no panic, only known
// errors, a document that marshals, and the input left alone.
func FuzzShapeQuery(f *testing.F) {
	for _, seed := range []string{
		"fields[sessions]=user,state", "fields[sessions]=client/connection_attributes", "fields[sessions]=/",
		"filter=id=and(ge(1),le(100))", "filter=/relationships/services/data/0/id=%22RW-Split-Router%22",
		"filter[relationships.services.data[*].id]=eq(%22Read-Connection-Router%22)", "filter[$['attributes']]={}",
		"page[size]=1&page[number]=1", "page[size]=1x", "page[size]=9223372036854775807&page[number]=3",
		"filter=id", "filter[x]=", "fields[sessions]=connections/0/server&page[size]=1&filter=/id=%22116%22",
	} {
		f.Add(seed)
	}
	docs := []any{singleDoc(f), collectionDoc(f), nil}
	before := make([][]byte, len(docs))
	for i, d := range docs {
		before[i] = Marshal(d, false)
	}
	f.Fuzz(func(t *testing.T, query string) {
		for i, doc := range docs {
			got, _, err := Shape(doc, ParseQuery(query), Options{})
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Status != 400 {
					t.Fatalf("Shape(%q) error %v", query, err)
				}
				for _, d := range e.Details {
					if !knownExprError(d) && !bytes.HasPrefix([]byte(d), []byte(msgInvalidFilterForm)) {
						t.Fatalf("Shape(%q) unknown detail %q", query, d)
					}
				}
			} else if _, derr := Decode(Marshal(got, false)); derr != nil {
				t.Fatalf("Shape(%q) result does not marshal to JSON: %v", query, derr)
			}
			if !bytes.Equal(Marshal(doc, false), before[i]) {
				t.Fatalf("Shape(%q) modified its input", query)
			}
		}
	})
}

// subset reports whether every member of a (recursively, for objects) is
// in b with an equal value; non-objects must be equal.
func subset(a, b any) bool {
	ao, aIsObj := AsObject(a)
	bo, bIsObj := AsObject(b)
	if !aIsObj || !bIsObj {
		return jsonEqual(a, b)
	}
	for k, av := range ao {
		bv, ok := bo[k]
		if !ok || !subset(av, bv) {
			return false
		}
	}
	return true
}

// FuzzFields: whatever the fields value, id, type and links survive and
// attributes/relationships only ever lose members.
func FuzzFields(f *testing.F) {
	for _, seed := range []string{"user,state", "client/connection_attributes", "/", ",,", "connections/0/server",
		"services", "client//cipher", "nosuch/x/y", "memory/connection_buffers/backends/server1/total,memory"} {
		f.Add(seed)
	}
	orig := singleDoc(f).(map[string]any)["data"].(map[string]any)
	f.Fuzz(func(t *testing.T, value string) {
		got, _, err := Shape(singleDoc(t), ParseQuery("fields[sessions]="+value), Options{})
		if err != nil {
			t.Fatalf("fields[sessions]=%q: %v", value, err)
		}
		res := got.(map[string]any)["data"].(map[string]any)
		for _, k := range []string{"id", "type", "links"} {
			if !jsonEqual(res[k], orig[k]) {
				t.Fatalf("fields[sessions]=%q changed %s", value, k)
			}
		}
		for k, v := range res {
			if !subset(v, orig[k]) {
				t.Fatalf("fields[sessions]=%q: %s is not a subset of the original", value, k)
			}
		}
	})
}

// FuzzPage: any page[size]/page[number] pair gives either the untouched
// collection or a page of at most size rows out of the original ones, with
// meta.total = 2.
func FuzzPage(f *testing.F) {
	for _, seed := range [][2]string{{"1", "0"}, {"1", "1"}, {"1x", ""}, {"0", "0"}, {"abc", "1"}, {"5", "-1"},
		{"9223372036854775807", "2"}, {" +2", "0"}, {"-3", "1"}, {"1", "99999999999999999999"}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, size, number string) {
		q := "page[size]=" + size + "&page[number]=" + number
		got, _, err := Shape(collectionDoc(t), ParseQuery(q), Options{})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		doc := got.(map[string]any)
		rows := doc["data"].([]any)
		meta, paged := doc["meta"].(map[string]any)
		n, _ := strtol(unescape(size))
		if !paged {
			if len(rows) != 2 {
				t.Fatalf("%s: not paged but %d rows", q, len(rows))
			}
			return
		}
		if meta["total"] != int64(2) || int64(len(rows)) > n {
			t.Fatalf("%s: total %v, %d rows for size %d", q, meta["total"], len(rows), n)
		}
	})
}
