package jsonapi

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
)

// freezeBelow returns a copy of v in which every object deeper than depth
// is a Frozen built from a copy of the original, and every object at depth
// has its first member laid over a Frozen of the others: the shapes a
// renderer of frozen resources with fresh clock values produces.
func freezeBelow(v any, depth int) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, el := range x {
			m[k] = freezeBelow(el, depth-1)
		}
		switch {
		case depth > 0:
			return m
		case depth < 0 || len(m) == 0:
			return Freeze(func() map[string]any { return m })
		}
		keys := slices.Sorted(maps.Keys(m))
		fresh := Member{keys[0], m[keys[0]]}
		rest := maps.Clone(m)
		delete(rest, fresh.Key)
		return Freeze(func() map[string]any { return rest }).With(fresh)
	case []any:
		a := make([]any, len(x))
		for i, el := range x {
			a[i] = freezeBelow(el, depth-1)
		}
		return a
	}
	return v
}

func TestFrozenEncodesLikeItsValue(t *testing.T) {
	for _, doc := range []any{singleDoc(t), collectionDoc(t)} {
		for depth := range 5 {
			frozen := freezeBelow(doc, depth)
			// Nested one level deeper, the same parts are written at
			// another depth: the indentation of kept encodings must follow.
			nested, frozenNested := map[string]any{"x": doc}, map[string]any{"x": frozen}
			for round := range 2 { // the second round copies kept encodings
				for _, pretty := range []bool{true, false} {
					for _, c := range []struct{ plain, frozen any }{{doc, frozen}, {nested, frozenNested}} {
						want, got := Marshal(c.plain, pretty), Marshal(c.frozen, pretty)
						if !bytes.Equal(got, want) {
							t.Fatalf("depth %d round %d pretty %v: frozen parts encode differently\n got: %s\nwant: %s", depth, round, pretty, got, want)
						}
					}
				}
				if got, want := ETagOf(frozen), ETagOf(doc); got != want {
					t.Fatalf("depth %d: ETagOf %s, want %s", depth, got, want)
				}
				var streamed bytes.Buffer
				if err := MarshalTo(&streamed, frozen, true); err != nil || !bytes.Equal(streamed.Bytes(), Marshal(doc, true)) {
					t.Fatalf("depth %d: MarshalTo of frozen parts differs (err %v)", depth, err)
				}
			}
		}
	}
}

func TestFrozenIsReadThrough(t *testing.T) {
	queries := []string{
		"fields[sessions]=user,state", "fields[sessions]=client/connection_attributes", "fields[sessions]=/",
		"fields[sessions]=connections/0/server", "fields[sessions]=memory/connection_buffers/client/total",
		"filter=/relationships/services/data/0/id=%22RW-Split-Router%22",
		"filter=/attributes/client={}", "filter=/attributes/connections/0/server=eq(%22server1%22)",
		"filter[relationships.services.data[*].id]=eq(%22Read-Connection-Router%22)",
		"filter[$.attributes.client.connection_attributes._client_name]=eq(%22libmariadb%22)",
		"filter[$['attributes']]={}", "page[size]=1&page[number]=1", "filter=id=and(ge(1),le(100))",
	}
	for _, doc := range []any{singleDoc(t), collectionDoc(t)} {
		for depth := range 5 {
			frozen := freezeBelow(doc, depth)
			for _, q := range queries {
				want, wantLogged, wantErr := Shape(doc, ParseQuery(q), Options{})
				got, gotLogged, gotErr := Shape(frozen, ParseQuery(q), Options{})
				if fmt.Sprint(gotErr, gotLogged) != fmt.Sprint(wantErr, wantLogged) {
					t.Fatalf("depth %d %s: error %v %q, want %v %q", depth, q, gotErr, gotLogged, wantErr, wantLogged)
				}
				if !bytes.Equal(Marshal(got, true), Marshal(want, true)) {
					t.Fatalf("depth %d %s: shaped frozen document differs\n got: %s\nwant: %s", depth, q, Marshal(got, true), Marshal(want, true))
				}
			}
		}
	}
}

// TestFrozenConcurrentReaders runs under -race in CI: readers of one
// Frozen at different depths and formats share its kept encodings.
func TestFrozenConcurrentReaders(t *testing.T) {
	doc := collectionDoc(t)
	frozen := freezeBelow(doc, 3)
	want := [2][]byte{Marshal(doc, false), Marshal(map[string]any{"x": doc}, true)}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for range 20 {
				var got []byte
				if g%2 == 0 {
					got = Marshal(frozen, false)
				} else {
					got = Marshal(map[string]any{"x": frozen}, true)
				}
				if !bytes.Equal(got, want[g%2]) {
					t.Errorf("reader %d: encoding differs", g)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestOverlayMergesInKeyOrder(t *testing.T) {
	base := map[string]any{"b": int64(1), "d": []any{"x"}, "f": map[string]any{"g": true}}
	tests := []struct {
		name  string
		fresh []Member
		want  map[string]any
	}{
		{"none", nil, base},
		{"before, between and after, given unsorted", []Member{{"z", 0.5}, {"a", "s"}, {"c", nil}},
			map[string]any{"a": "s", "b": int64(1), "c": nil, "d": []any{"x"}, "f": map[string]any{"g": true}, "z": 0.5}},
		{"replaces a frozen member", []Member{{"d", int64(7)}},
			map[string]any{"b": int64(1), "d": int64(7), "f": map[string]any{"g": true}}},
	}
	for _, tc := range tests {
		o := Freeze(func() map[string]any { return base }).With(tc.fresh...)
		for _, pretty := range []bool{true, false} {
			for _, doc := range []struct{ got, want any }{{o, tc.want}, {[]any{map[string]any{"o": o}}, []any{map[string]any{"o": tc.want}}}} {
				if got, want := Marshal(doc.got, pretty), Marshal(doc.want, pretty); !bytes.Equal(got, want) {
					t.Errorf("%s, pretty %v:\n got: %s\nwant: %s", tc.name, pretty, got, want)
				}
			}
		}
		if got, ok := AsObject(o); !ok || !jsonEqual(got, tc.want) {
			t.Errorf("%s: read as %v, want %v", tc.name, got, tc.want)
		}
	}
	empty := Freeze(func() map[string]any { return nil })
	if got := string(Marshal(map[string]any{"e": empty, "o": empty.With(Member{"k", "v"})}, false)); got != `{"e":{},"o":{"k":"v"}}` {
		t.Errorf("empty frozen objects: %s", got)
	}
}

// FuzzFrozenPretty checks the output of kept marked encodings, pretty and
// compact, against the encoder's on any JSON object: strings full of quotes,
// backslashes and brackets, empty and nested containers, reals.
func FuzzFrozenPretty(f *testing.F) {
	for _, doc := range []any{singleDoc(f), collectionDoc(f)} {
		f.Add(Marshal(doc, false))
	}
	for _, seed := range []string{`{}`, `{"a":{}}`, `{"a":[[],{}],"b":"x\"],{\\"}`, `{"\\\\":"\\\\\"","k":-0.0}`,
		`{"a":[1,2.5e-7,true,null,"}"],"b":{"c":{"d":[{"e":""}]}}}`, `{"u":"\u0001\ud83d\ude00"}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tree, err := Decode(data)
		if err != nil {
			return
		}
		obj, ok := tree.(map[string]any)
		if !ok {
			return
		}
		frozen := Freeze(func() map[string]any { return obj })
		// Each twice: made, then read from the page cache; at depth 0,
		// then 3, then 0 again.
		for _, doc := range []struct{ got, want any }{
			{frozen, obj},
			{frozen, obj},
			{[]any{map[string]any{"x": frozen.With(Member{"m", int64(1)})}}, []any{map[string]any{"x": withMember(obj, "m", int64(1))}}},
			{[]any{map[string]any{"x": frozen.With(Member{"m", int64(1)})}}, []any{map[string]any{"x": withMember(obj, "m", int64(1))}}},
			{frozen, obj},
		} {
			for _, pretty := range []bool{true, false} {
				if got, want := Marshal(doc.got, pretty), Marshal(doc.want, pretty); !bytes.Equal(got, want) {
					t.Fatalf("frozen object differs (pretty %v)\n got: %s\nwant: %s", pretty, got, want)
				}
			}
		}
	})
}

func TestOverlayWithAndWithout(t *testing.T) {
	base := map[string]any{"a": int64(1), "b": map[string]any{"c": "d"}, "e": []any{}}
	o := Freeze(func() map[string]any { return base }).With(Member{"z", 0.5}, Member{"f", "g"})
	tests := []struct {
		name string
		got  *Overlay
		want map[string]any
	}{
		{"without frozen and fresh members", o.Without("b", "z"), map[string]any{"a": int64(1), "e": []any{}, "f": "g"}},
		{"without everything", o.Without("a", "b", "e", "f", "z"), map[string]any{}},
		{"without a missing key", o.Without("nope"), map[string]any{"a": int64(1), "b": map[string]any{"c": "d"}, "e": []any{}, "f": "g", "z": 0.5}},
		{"with replaces fresh and frozen members", o.With(Member{"z", int64(2)}, Member{"a", "x"}),
			map[string]any{"a": "x", "b": map[string]any{"c": "d"}, "e": []any{}, "f": "g", "z": int64(2)}},
		{"with after without brings a member back", o.Without("b").With(Member{"b", true}),
			map[string]any{"a": int64(1), "b": true, "e": []any{}, "f": "g", "z": 0.5}},
	}
	for _, tc := range tests {
		for _, pretty := range []bool{true, false} {
			doc, want := map[string]any{"o": []any{tc.got}}, map[string]any{"o": []any{tc.want}}
			if g, w := Marshal(doc, pretty), Marshal(want, pretty); !bytes.Equal(g, w) {
				t.Errorf("%s, pretty %v:\n got: %s\nwant: %s", tc.name, pretty, g, w)
			}
		}
		if got, _ := AsObject(tc.got); !jsonEqual(got, tc.want) {
			t.Errorf("%s: read as %v, want %v", tc.name, got, tc.want)
		}
	}
	if v, ok := o.Fresh("f"); !ok || v != "g" {
		t.Errorf(`Fresh("f") = %v, %v`, v, ok)
	}
	if _, ok := o.Fresh("a"); ok {
		t.Error(`Fresh("a"): a frozen member is not laid over`)
	}
	if got := string(Marshal(o, false)); got != `{"a":1,"b":{"c":"d"},"e":[],"f":"g","z":0.5}` {
		t.Errorf("With and Without changed the overlay they came from: %s", got)
	}
}

// TestPageCache: the rows of a page keep their pretty encodings (and are
// written from them, byte for byte the same), the rows of a larger array
// do not, and the cache stays within its budget, dropping the oldest.
func TestPageCache(t *testing.T) {
	row := func(i int) *Frozen {
		obj := map[string]any{"id": itoa(i), "attributes": map[string]any{"user": "u" + itoa(i), "list": []any{int64(i), "x"}}}
		return Freeze(func() map[string]any { return obj })
	}
	collection := func(rows []*Frozen) (frozen, plain any) {
		f, p := make([]any, len(rows)), make([]any, len(rows))
		for i, r := range rows {
			f[i], p[i] = r.With(Member{"fresh", float64(i) / 3}), withMember(r.Value(), "fresh", float64(i)/3)
		}
		return map[string]any{"data": f}, map[string]any{"data": p}
	}
	check := func(what string, rows []*Frozen) {
		t.Helper()
		frozen, plain := collection(rows)
		for range 2 {
			if got, want := Marshal(frozen, true), Marshal(plain, true); !bytes.Equal(got, want) {
				t.Fatalf("%s: differs from the plain objects\n got: %.500s\nwant: %.500s", what, got, want)
			}
		}
	}
	page := make([]*Frozen, 10)
	for i := range page {
		page[i] = row(i)
	}
	check("a page", page)
	for i, r := range page {
		if p := r.pretty.Load(); p == nil || p.depth != 2 {
			t.Fatalf("row %d of a page: pretty encodings %v, want kept at depth 2", i, p)
		}
	}
	large := make([]*Frozen, pageRows+1)
	for i := range large {
		large[i] = row(i)
	}
	check("a large collection", large)
	for i, r := range large {
		if r.pretty.Load() != nil {
			t.Fatalf("row %d of a collection of %d keeps pretty encodings", i, len(large))
		}
	}
	// Pages enough to fill the budget several times: the first page's
	// rows go first, and the cache stays within its budget.
	size := len(page[0].pretty.Load().buf)
	for range 3 * pageCacheBytes / size / pageRows {
		more := make([]*Frozen, pageRows)
		for i := range more {
			more[i] = row(i)
		}
		check("a later page", more)
	}
	if page[0].pretty.Load() != nil {
		t.Error("the first page's rows are still kept after 3 budgets of later pages")
	}
	pageCache.mu.Lock()
	defer pageCache.mu.Unlock()
	if pageCache.bytes > pageCacheBytes {
		t.Errorf("the page cache holds %d bytes, over its budget of %d", pageCache.bytes, pageCacheBytes)
	}
}

// TestMarkedEncodings: kept encodings hold a '\n' wherever the pretty
// format has whitespace and read what it stands for off its neighbours
// (unmark). Strings holding escaped line breaks, brackets, commas and
// colons, keys of the same bytes, empty containers beside full ones and
// nesting deeper than any fixed table of indentation must come out as the
// plain object's encoding, in both formats and at two depths, and must
// read back, whole and member by member, as the values they encode.
func TestMarkedEncodings(t *testing.T) {
	deep := any("bottom")
	var deepPointer strings.Builder
	for i := range 40 {
		if i%2 == 0 {
			deep = map[string]any{"a": deep, "e": map[string]any{}}
			deepPointer.WriteString("/a")
		} else {
			deep = []any{[]any{}, deep}
			deepPointer.WriteString("/1")
		}
	}
	obj := map[string]any{
		"s":          "line\nbreak \\n {[,:]} \"q\" \\",
		"k:\n{,}":    "key with a colon, a line break and brackets",
		"\n":         []any{map[string]any{}, []any{}, map[string]any{"x": []any{}}, "\n,", int64(-1)},
		"empty":      map[string]any{"o": map[string]any{}, "a": []any{}, "n": map[string]any{"o": map[string]any{}}},
		"deep":       deep,
		"reals":      []any{0.5, 1e-7, true, false, nil},
		"end\\\"]\n": map[string]any{"]": "}", "}": "]"},
	}
	frozen := Freeze(func() map[string]any { return obj })
	for _, pretty := range []bool{true, false} {
		for _, doc := range []struct{ got, want any }{
			{frozen, obj},
			{[]any{map[string]any{"x": frozen.With(Member{"m", int64(1)})}}, []any{map[string]any{"x": withMember(obj, "m", int64(1))}}},
		} {
			if got, want := Marshal(doc.got, pretty), Marshal(doc.want, pretty); !bytes.Equal(got, want) {
				t.Fatalf("pretty %v: the frozen object encodes differently\n got: %s\nwant: %s", pretty, got, want)
			}
		}
	}
	for key, want := range obj {
		got, ok := frozen.member(key)
		if !ok || !jsonEqual(plain(got), want) {
			t.Errorf("member %q read as %v, want %v", key, plain(got), want)
		}
		if r, ok := got.(raw); ok && !bytes.Equal(Marshal(r, true), Marshal(want, true)) {
			t.Errorf("member %q written alone:\n got: %s\nwant: %s", key, Marshal(r, true), Marshal(want, true))
		}
	}
	for _, ptr := range []string{"/\n/2/x", "/\n/4", "/reals/1", "/empty/n/o", "/k:\n{,}", "/end\\\"]\n/]", deepPointer.String(), deepPointer.String()[:20] + "/e"} {
		got, gotOK := jsonPointer(frozen, ptr)
		want, wantOK := jsonPointer(obj, ptr)
		if gotOK != wantOK || !jsonEqual(plain(got), want) {
			t.Errorf("pointer %q: %v %v, want %v %v", ptr, plain(got), gotOK, want, wantOK)
		}
	}
	sel := parseFields("x", "deep,empty/n")
	kept, _ := sel.selectKept(frozen, "", frozen.With())
	if got, want := Marshal(kept, true), Marshal(sel.selectPaths(obj), true); !bytes.Equal(got, want) {
		t.Errorf("a kept selection:\n got: %s\nwant: %s", got, want)
	}
}
