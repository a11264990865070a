package mutate

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/steps"
)

// The table is data that the campaign, the report and features/README.md
// rely on: every row must name a statement the README traces, run in a
// profile the simulator has, reproduce only deviations the 24.02 ledger
// records, and be listed in the README's mutants column.
func TestMutantsTable(t *testing.T) {
	readme, err := os.ReadFile("../features/README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{} // statement id -> its README row
	for _, line := range strings.Split(string(readme), "\n") {
		if m := regexp.MustCompile(`^\| ([SA][0-9]+) \|`).FindStringSubmatch(line); m != nil {
			rows[m[1]] = line
		}
	}
	ledger, err := steps.LoadLedger(featuresFS, observed)
	if err != nil {
		t.Fatal(err)
	}
	kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	seen := map[string]bool{}
	for _, m := range Mutants {
		switch {
		case !kebab.MatchString(m.Name) || seen[m.Name]:
			t.Errorf("%q: not a unique kebab-case name", m.Name)
		case rows[m.Breaks] == "":
			t.Errorf("%s: breaks %q, which features/README.md does not trace", m.Name, m.Breaks)
		case m.Profile != documented && m.Profile != observed:
			t.Errorf("%s: profile %q", m.Name, m.Profile)
		case m.Statement == "" || m.Tags == "" || m.Rewrite == nil:
			t.Errorf("%s: statement, tags and rewrite are required", m.Name)
		case m.Reproduces != "" && !has(ledger, m.Reproduces):
			t.Errorf("%s: reproduces %q, which ledger %s does not record", m.Name, m.Reproduces, observed)
		case m.Reproduces != "" && m.Profile != documented:
			t.Errorf("%s: reproduces a known deviation, so it runs against the documented profile, not %s", m.Name, m.Profile)
		}
		for _, id := range m.Moot {
			if !recordedByALedger(t, id) {
				t.Errorf("%s: moot under %q, which no ledger in features/deviations records", m.Name, id)
			}
		}
		for _, id := range append([]string{m.Breaks}, m.Also...) {
			if !strings.Contains(rows[id], "`"+m.Name+"`") {
				t.Errorf("%s: features/README.md's row %s does not list it among the mutants", m.Name, id)
			}
		}
		seen[m.Name] = true
	}
	if len(Mutants) < 40 {
		t.Errorf("%d mutants, want at least 40", len(Mutants))
	}
}

func TestNotFirstOnly(t *testing.T) {
	for in, want := range map[string]string{
		`not(eq(1),eq(5),eq(10))`:         `not(eq(1))`,
		`not(eq(1))`:                      `not(eq(1))`,
		`and(not(eq("a,b"),eq(2)),ge(1))`: `and(not(eq("a,b")),ge(1))`,
		`eq(3)`:                           `eq(3)`,
		`not(eq(1)`:                       `not(eq(1)`,
	} {
		if got := notFirstOnly(in); got != want {
			t.Errorf("notFirstOnly(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestFirstJSONPathOnly(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/v1/sessions?filter%5Bb%5D=2&pretty=false&filter%5Ba%5D=1", nil)
	firstJSONPathOnly(r)
	if want := "filter%5Bb%5D=2&pretty=false"; r.URL.RawQuery != want {
		t.Errorf("query %q, want %q", r.URL.RawQuery, want)
	}
}

// A proxy without a rewrite changes nothing the suite can see, and a
// mutant is killed only by scenarios that hold without it: a campaign of
// one pass-through "mutant" and one real mutant kills exactly the real one.
func TestCampaignKillsOnlyRealMutants(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite three times")
	}
	passThrough := Mutant{Name: "pass-through", Profile: observed, Tags: "@get",
		Rewrite: static(func(next http.Handler) http.Handler { return next })}
	real := mutantNamed(t, "port-as-string")
	rep, err := Run(t.Context(), Campaign{Mutants: []Mutant{passThrough, real}, Parallel: 2, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range rep.Outcomes {
		if o.Killed != (o.Mutant.Name == real.Name) {
			t.Errorf("%s: killed %v by %v", o.Mutant.Name, o.Killed, o.By)
		}
	}
	if rep.Killed() != 1 || len(rep.Outcomes) != 2 {
		t.Errorf("killed %d/%d, want 1/2", rep.Killed(), len(rep.Outcomes))
	}
}

func mutantNamed(t *testing.T, name string) Mutant {
	t.Helper()
	for _, m := range Mutants {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("no mutant %q", name)
	return Mutant{}
}

func has(l *steps.Ledger, id string) bool {
	_, ok := l.Entry(id)
	return ok
}

func recordedByALedger(t *testing.T, id string) bool {
	t.Helper()
	files, err := fs.Glob(featuresFS, "deviations/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no ledgers in features/deviations: %v", err)
	}
	for _, f := range files {
		if ledgerHas(strings.TrimSuffix(path.Base(f), ".yaml"), id) {
			return true
		}
	}
	return false
}
