package report

import (
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mxharness/mxharness/steps"
)

//go:embed html.tmpl
var htmlSource string

// page is parsed once; html/template escapes every value, so a response body
// holding <script> is shown as text.
var page = template.Must(template.New("report").Parse(htmlSource))

// HTML writes the result as one self-contained HTML page (inline CSS and
// JavaScript, nothing fetched): verdict tiles and a bar, the deviations met,
// and every scenario grouped by feature with its steps and HTTP exchanges
// folded under <details>.
func HTML(w io.Writer, r *steps.Result) error {
	if err := page.Execute(w, newHTMLPage(r, time.Now(), specCatalog())); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return nil
}

type htmlPage struct {
	Title, Target, Ledger, Outcome, OutcomeKey string
	Started                                    time.Time
	Duration, Generated                        string
	Total                                      int
	Tiles                                      []htmlTile
	Attention                                  []htmlScenario // fails and changed deviations
	Deviations                                 []htmlDeviation
	Features                                   []htmlFeature
}

type htmlTile struct {
	Key, Label string
	Count      int
	Percent    string
}

type htmlDeviation struct {
	htmlChip
	Summary, Documented string // from the contract; "" for an id it does not record
	Scenarios           []htmlLink
}

// Chip lets the template render a deviation row's id like any other chip.
func (d htmlDeviation) Chip() htmlChip { return d.htmlChip }

type htmlLink struct{ Anchor, Name string }

type htmlFeature struct {
	Name, URI string
	Counts    []htmlTile
	Scenarios []htmlScenario
}

type htmlScenario struct {
	Anchor, Name, Key, Label, Location, Duration, Why string
	Tags                                              []string
	Deviations                                        []htmlChip
	Steps                                             []htmlStep
	Exchanges                                         []htmlExchange
}

type htmlChip struct {
	ID                string
	Security, Changed bool
}

type htmlStep struct {
	Text, Status, Mark, Error string
	// Deviation is nil when the step met none; a pointer so the template's
	// "with" skips it.
	Deviation *htmlChip
}

type htmlExchange struct {
	Method, URL, Status, Class, Duration string
	RequestHead, RequestBody             string
	ResponseHead, ResponseBody           string
	SpecErrors                           []string
}

func newHTMLPage(r *steps.Result, now time.Time, c catalog) htmlPage {
	counts := r.Count()
	p := htmlPage{
		Title:     "MaxScale sessions API — verify report",
		Target:    r.Target,
		Ledger:    ledgerName(r.Ledger),
		Started:   r.Started,
		Duration:  r.Duration.Round(time.Millisecond).String(),
		Generated: now.UTC().Format("2006-01-02 15:04:05 MST"),
		Total:     len(r.Scenarios),
		Tiles:     tiles(counts, len(r.Scenarios), true),
	}
	p.Outcome, p.OutcomeKey = outcome(counts)
	devs := map[string]int{}
	anchors := map[string]int{}
	for _, f := range byFeature(r) {
		hf := htmlFeature{Name: f.name, URI: f.uri}
		fc := map[steps.Verdict]int{}
		for _, s := range f.scenarios {
			fc[s.Verdict]++
			hs := newHTMLScenario(s, c)
			// Examples of an outline may share a line: keep anchors unique.
			if anchors[hs.Anchor]++; anchors[hs.Anchor] > 1 {
				hs.Anchor = fmt.Sprintf("%s-%d", hs.Anchor, anchors[hs.Anchor])
			}
			for _, chip := range hs.Deviations {
				i, ok := devs[chip.ID]
				if !ok {
					i = len(p.Deviations)
					devs[chip.ID] = i
					p.Deviations = append(p.Deviations, htmlDeviation{
						htmlChip:   htmlChip{ID: chip.ID, Security: chip.Security},
						Summary:    c.summary(chip.ID),
						Documented: c[chip.ID].Documented,
					})
				}
				p.Deviations[i].Changed = p.Deviations[i].Changed || chip.Changed
				p.Deviations[i].Scenarios = append(p.Deviations[i].Scenarios, htmlLink{Anchor: hs.Anchor, Name: hs.Name})
			}
			hf.Scenarios = append(hf.Scenarios, hs)
			if s.Verdict == steps.Fails || s.Verdict == steps.ChangedDeviation {
				p.Attention = append(p.Attention, hs)
			}
		}
		hf.Counts = tiles(fc, len(f.scenarios), false)
		p.Features = append(p.Features, hf)
	}
	// Changed deviations first, then security ones: those need a person.
	// Then the ones most scenarios meet.
	slices.SortStableFunc(p.Deviations, func(a, b htmlDeviation) int {
		return cmp.Or(rank(b)-rank(a), len(b.Scenarios)-len(a.Scenarios), strings.Compare(a.ID, b.ID))
	})
	return p
}

func rank(d htmlDeviation) int {
	n := 0
	if d.Changed {
		n += 2
	}
	if d.Security {
		n++
	}
	return n
}

// outcome is the one-line verdict of the whole run, as the exit status sees it.
func outcome(counts map[steps.Verdict]int) (text, k string) {
	switch {
	case counts[steps.Fails] == 1:
		return "1 scenario fails", key(steps.Fails)
	case counts[steps.Fails] > 1:
		return fmt.Sprintf("%d scenarios fail", counts[steps.Fails]), key(steps.Fails)
	case counts[steps.ChangedDeviation] > 0:
		return fmt.Sprintf("No failure, but %d changed deviation%s: the ledger needs updating", counts[steps.ChangedDeviation], plural(counts[steps.ChangedDeviation])), key(steps.ChangedDeviation)
	default:
		return "Every scenario conforms or deviates as the ledger records", key(steps.Conforms)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// tiles counts each verdict; all keeps verdicts with no scenario (the
// summary tiles), otherwise they are dropped (a feature's small counters).
func tiles(counts map[steps.Verdict]int, total int, all bool) []htmlTile {
	var out []htmlTile
	for _, v := range verdicts {
		n := counts[v]
		if n == 0 && !all {
			continue
		}
		pct := 0.0
		if total > 0 {
			pct = 100 * float64(n) / float64(total)
		}
		out = append(out, htmlTile{Key: key(v), Label: string(v), Count: n, Percent: fmt.Sprintf("%.1f", pct)})
	}
	return out
}

func newHTMLScenario(s steps.ScenarioResult, c catalog) htmlScenario {
	hs := htmlScenario{
		Anchor:   fmt.Sprintf("s-%s-%d", anchorSafe(s.URI), s.Line),
		Name:     s.Name,
		Key:      key(s.Verdict),
		Label:    string(s.Verdict),
		Location: fmt.Sprintf("%s:%d", s.URI, s.Line),
		Duration: s.Duration.Round(time.Millisecond).String(),
		Tags:     s.Tags,
	}
	switch s.Verdict {
	case steps.Fails, steps.ChangedDeviation:
		_, err := firstError(s)
		hs.Why = firstLine(err)
	case steps.Skipped:
		hs.Why = "skipped: " + skipReason(s)
	}
	changed := s.Verdict == steps.ChangedDeviation
	for _, id := range DeviationIDs(s) {
		hs.Deviations = append(hs.Deviations, htmlChip{ID: id, Security: c.security(id), Changed: changed})
	}
	for _, st := range s.Steps {
		hst := htmlStep{Text: strings.TrimSpace(st.Keyword + " " + st.Text), Status: st.Status, Mark: stepMark(st.Status), Error: st.Error}
		if st.Deviation != "" {
			hst.Deviation = &htmlChip{ID: st.Deviation, Security: c.security(st.Deviation), Changed: changed}
		}
		hs.Steps = append(hs.Steps, hst)
	}
	for _, x := range s.Exchanges {
		hs.Exchanges = append(hs.Exchanges, htmlExchange{
			Method:       x.Method,
			URL:          x.URL,
			Status:       statusText(x.Status),
			Class:        fmt.Sprintf("st%d", x.Status/100),
			Duration:     x.Duration.Round(time.Microsecond * 100).String(),
			RequestHead:  head(x.Method+" "+x.URL, x.RequestHeader),
			RequestBody:  x.RequestBody,
			ResponseHead: head(statusText(x.Status), x.ResponseHeader),
			ResponseBody: x.ResponseBody,
			SpecErrors:   x.SpecErrors,
		})
	}
	return hs
}

func anchorSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, s)
}

func stepMark(status string) string {
	switch status {
	case "passed":
		return "✓"
	case "failed":
		return "✗"
	case "undefined", "pending":
		return "?"
	default:
		return "–"
	}
}

func statusText(code int) string {
	if text := http.StatusText(code); text != "" {
		return fmt.Sprintf("%d %s", code, text)
	}
	return fmt.Sprint(code)
}

// head renders a first line and the headers, sorted, one per line, as they
// would appear on the wire.
func head(first string, h http.Header) string {
	var b strings.Builder
	b.WriteString(first)
	b.WriteString("\n")
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, v := range h[name] {
			if secretHeader(name) {
				v = redacted(v)
			}
			fmt.Fprintf(&b, "%s: %s\n", name, v)
		}
	}
	return b.String()
}

// secretHeader reports whether a header carries credentials. A report is
// shared, so their values are cut to the scheme (Authorization) or the
// cookie name.
func secretHeader(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Cookie", "Set-Cookie":
		return true
	}
	return false
}

func redacted(v string) string {
	if scheme, _, ok := strings.Cut(v, " "); ok && !strings.Contains(scheme, "=") {
		return scheme + " [redacted]"
	}
	name, _, _ := strings.Cut(v, "=")
	return name + "=[redacted]"
}
