package jsonapi

import (
	"bytes"
	"slices"
	"sync"
	"testing"
)

func TestErrorBuffer(t *testing.T) {
	var b ErrorBuffer
	if got := b.Take(); len(got) != 0 {
		t.Errorf("Take on empty buffer = %q", got)
	}
	b.Add("Invalid filter expression: id")
	b.Add()
	if got, want := b.Take("abc is not a session"), []string{"Invalid filter expression: id", "abc is not a session"}; !slices.Equal(got, want) {
		t.Errorf("Take = %q, want %q", got, want)
	}
	if got := b.Take("x"); !slices.Equal(got, []string{"x"}) {
		t.Errorf("second Take = %q, want only its own detail", got)
	}

	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				b.Add("m")
			}
		})
	}
	wg.Wait()
	if got := len(b.Take()); got != 400 {
		t.Errorf("after concurrent Adds Take returned %d messages, want 400", got)
	}
}

func TestAppendMarshal(t *testing.T) {
	buf := bytes.NewBufferString("prefix:")
	AppendMarshal(buf, map[string]any{"b": int64(1), "a": []any{}}, false)
	if got, want := buf.String(), `prefix:{"a":[],"b":1}`; got != want {
		t.Errorf("AppendMarshal wrote %q, want %q", got, want)
	}
}

func TestErrorText(t *testing.T) {
	if got := (&Error{Status: 400}).Error(); got != "Bad Request (empty body)" {
		t.Errorf("Error() = %q", got)
	}
	if got := (&Error{Status: 400, Details: []string{"a", "b"}}).Error(); got != "Bad Request: a; b" {
		t.Errorf("Error() = %q", got)
	}
	if ErrorDocument(nil) != nil {
		t.Error("ErrorDocument(nil) is not nil")
	}
}
