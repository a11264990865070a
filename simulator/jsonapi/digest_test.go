package jsonapi

import "testing"

// TestDigestOf: a document without frozen parts gets ETagOf's tag; one
// with frozen parts gets a tag that depends on its content only, not on
// which Frozen holds it or whether its encodings were made yet, and that
// changes with any member, frozen or fresh, and with what an overlay
// leaves out or keeps.
func TestDigestOf(t *testing.T) {
	plain := map[string]any{"data": []any{map[string]any{"id": "1", "n": int64(2)}}, "links": map[string]any{"self": "x"}}
	if DigestOf(plain) != ETagOf(plain) {
		t.Errorf("DigestOf without frozen parts = %s, ETagOf = %s", DigestOf(plain), ETagOf(plain))
	}
	frozen := func(user string) *Frozen {
		return Freeze(func() map[string]any { return map[string]any{"user": user, "state": "Started", "log": []any{"a"}} })
	}
	row := func(f *Frozen, idle float64, o func(*Overlay) *Overlay) any {
		return map[string]any{"data": []any{o(f.With(Member{Key: "idle", Value: idle}))}}
	}
	same := func(o *Overlay) *Overlay { return o }
	a := frozen("u")
	first := DigestOf(row(a, 1.5, same))
	if again := DigestOf(row(a, 1.5, same)); again != first {
		t.Errorf("second digest of the same document %s, first %s", again, first)
	}
	if other := DigestOf(row(frozen("u"), 1.5, same)); other != first {
		t.Errorf("the same content in another Frozen: %s, want %s", other, first)
	}
	for name, doc := range map[string]any{
		"frozen member":   row(frozen("v"), 1.5, same),
		"fresh member":    row(a, 1.6, same),
		"member left out": row(a, 1.5, func(o *Overlay) *Overlay { return o.Without("log") }),
		"fieldset":        row(a, 1.5, func(o *Overlay) *Overlay { p, _ := o.project([]string{"user"}); return p }),
	} {
		if d := DigestOf(doc); d == first {
			t.Errorf("%s changed: the digest did not", name)
		}
	}
	// Both cached digests are still told apart afterwards.
	if d := DigestOf(row(a, 1.5, func(o *Overlay) *Overlay { return o.Without("log") })); d == DigestOf(row(a, 1.5, same)) {
		t.Error("a Frozen's digests with and without a member are the same")
	}
}
