package simulator

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// TestLengthWriterSendsSmallBodiesWhole: a body under streamFrom goes out
// with its Content-Length, as MaxScale sends every body; a larger one is
// streamed without one (chunked). Both arrive byte for byte, with the
// status, whatever the sizes of the writes that made them.
func TestLengthWriterSendsSmallBodiesWhole(t *testing.T) {
	for _, tc := range []struct {
		name   string
		writes []int
		length bool
	}{
		{"small", []int{10, 32 << 10, 1}, true},
		{"exactly streamFrom", []int{streamFrom - 5, 5}, true},
		{"one byte over", []int{streamFrom - 5, 6}, false},
		{"one large write", []int{streamFrom + 1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			out := newLengthWriter(rec, http.StatusTeapot)
			var want []byte
			for i, n := range tc.writes {
				p := bytes.Repeat([]byte{byte('a' + i)}, n)
				want = append(want, p...)
				if _, err := out.Write(p); err != nil {
					t.Fatal(err)
				}
			}
			if err := out.close(); err != nil {
				t.Fatal(err)
			}
			out.release()
			res := rec.Result()
			if res.StatusCode != http.StatusTeapot {
				t.Errorf("status %d, want %d", res.StatusCode, http.StatusTeapot)
			}
			if !bytes.Equal(rec.Body.Bytes(), want) {
				t.Errorf("body of %d bytes differs from the %d written", rec.Body.Len(), len(want))
			}
			cl := res.Header.Get("Content-Length")
			if tc.length && cl != strconv.Itoa(len(want)) || !tc.length && cl != "" {
				t.Errorf("Content-Length %q for %d bytes (want one: %v)", cl, len(want), tc.length)
			}
		})
	}
}
