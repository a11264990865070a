package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mxharness/mxharness/internal/golden"
	"github.com/mxharness/mxharness/steps"
)

func TestHTML(t *testing.T) {
	r := sampleResult()
	var buf bytes.Buffer
	if err := page.Execute(&buf, newHTMLPage(r, time.Date(2026, 11, 26, 21, 5, 0, 0, time.UTC), sampleCatalog())); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "sample.html", buf.Bytes())
	html := buf.String()

	for _, s := range r.Scenarios {
		if !strings.Contains(html, ">"+s.Name+"<") {
			t.Errorf("scenario %q is not in the page", s.Name)
		}
	}
	if strings.Contains(html, "<script>alert(1)</script>") {
		t.Error("a response body's <script> reached the page unescaped")
	}
	if !strings.Contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the response body holding <script> is not shown as text")
	}
	if strings.Contains(html, "YWRtaW46bWFyaWFkYg==") {
		t.Error("the Authorization header's credentials are in the page")
	}
	for _, want := range []string{
		`data-verdict="known-deviation"`, `data-verdict="changed-deviation"`, `data-verdict="fails"`,
		`data-filter="fails"`,
		`<section class="panel" id="attention">`,
		`<span class="chip security" title="security flaw · known deviation">readonly-override-writes</span>`,
		`response status 500 is not in the contract for listSessions`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// Self-contained: nothing is fetched when the file is opened.
	for _, ext := range []string{"src=", "href=\"http", "@import", "url("} {
		if strings.Contains(html, ext) {
			t.Errorf("page refers to an external resource (%s)", ext)
		}
	}
}

func TestHTMLEmptyRun(t *testing.T) {
	var buf bytes.Buffer
	if err := HTML(&buf, &steps.Result{Target: "nothing"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "nothing") {
		t.Error("empty run: target missing from the page")
	}
}

func TestRedacted(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Basic YWRtaW46bWFyaWFkYg==", "Basic [redacted]"},
		{"Bearer eyJhbGciOi.x.y", "Bearer [redacted]"},
		{"token_sig=abc; Path=/; HttpOnly", "token_sig=[redacted]"},
	}
	for _, tc := range tests {
		if got := redacted(tc.in); got != tc.want {
			t.Errorf("redacted(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestHTMLOutlineAnchorsAreUnique(t *testing.T) {
	example := steps.ScenarioResult{Feature: "F", URI: "f.feature", Line: 9, Name: "Example", Verdict: steps.Conforms}
	p := newHTMLPage(&steps.Result{Scenarios: []steps.ScenarioResult{example, example, example}}, time.Time{}, catalog{})
	seen := map[string]bool{}
	for _, s := range p.Features[0].Scenarios {
		if seen[s.Anchor] {
			t.Errorf("anchor %q used twice", s.Anchor)
		}
		seen[s.Anchor] = true
	}
}
