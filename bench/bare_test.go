package bench

import (
	"bytes"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// TestBareHandlerSendsWhatWasCaptured: the bare handler answers each
// exchange with the status, header fields and body the simulator sent
// when it was captured, so that the ratios measure the simulator's work,
// not bytes one side sends and the other does not.
func TestBareHandlerSendsWhatWasCaptured(t *testing.T) {
	sim, err := startSim(t.Context(), 3)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	bare := BareHandler{}
	exchanges := sessionExchanges("/v1", sim.ids[1], true, true)
	captured := map[string]BareReply{}
	for _, x := range exchanges {
		rep, err := Capture(t.Context(), sim.url, x)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Header.Get("Date") == "" || rep.Header.Get("X-Frame-Options") == "" || x.Method == http.MethodGet && rep.Header.Get("ETag") == "" {
			t.Fatalf("%s %s: captured header %v lacks the simulator's fields", x.Method, x.Path, rep.Header)
		}
		bare[x.Key()], captured[x.Key()] = rep, rep
	}
	url, stop, err := ServeLoopback(bare)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for _, x := range exchanges {
		req, err := http.NewRequestWithContext(t.Context(), x.Method, url+x.Path, strings.NewReader(x.Body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := captured[x.Key()]
		if resp.StatusCode != want.Status || !bytes.Equal(body, want.Body) {
			t.Errorf("%s %s: bare answered %d with %d bytes, captured %d with %d", x.Method, x.Path,
				resp.StatusCode, len(body), want.Status, len(want.Body))
		}
		if got := resp.Header.Get("Content-Length"); got != strconv.Itoa(len(want.Body)) {
			t.Errorf("%s %s: Content-Length %q for %d bytes", x.Method, x.Path, got, len(want.Body))
		}
		resp.Header.Del("Content-Length")
		if !reflect.DeepEqual(resp.Header, want.Header) {
			t.Errorf("%s %s: bare header\n%v\ncaptured\n%v", x.Method, x.Path, resp.Header, want.Header)
		}
	}
}
