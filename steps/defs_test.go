package steps

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/mxharness/mxharness/features"
	"github.com/mxharness/mxharness/spec"
)

var stepLine = regexp.MustCompile(`^\s*(?:Given|When|Then|And|But|\*) (.*)$`)

// featureSteps returns every step text of the embedded features; outline
// steps get their examples' first row substituted crudely (each <name> by
// "x") so that they can be matched too.
func featureSteps(t *testing.T) []string {
	t.Helper()
	var texts []string
	err := fs.WalkDir(features.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".feature") {
			return err
		}
		f, err := features.FS.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if m := stepLine.FindStringSubmatch(sc.Text()); m != nil {
				texts = append(texts, m[1])
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return texts
}

// Every step of every feature matches exactly one step sentence, so godog
// never finds a step ambiguous (outline steps with <placeholders> are checked
// when godog runs them).
func TestEveryFeatureStepMatchesOneDefinition(t *testing.T) {
	defs := stepDefs()
	for _, text := range featureSteps(t) {
		if strings.Contains(text, "<") {
			continue
		}
		var n int
		for _, d := range defs {
			if d.expr.MatchString(text) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("step %q matches %d definitions, want 1", text, n)
		}
	}
}

// Every observed sentence of the 24.02 ledger is a step the suite knows.
func TestLedgerObservedSentencesAreSteps(t *testing.T) {
	l, err := LoadLedger(features.FS, "maxscale-24.02")
	if err != nil {
		t.Fatal(err)
	}
	defs := stepDefs()
	for _, d := range l.Deviations {
		for _, st := range d.Steps {
			for _, o := range st.Observed {
				text := strings.NewReplacer("$1", "app", "$2", "x").Replace(o)
				var n int
				for _, def := range defs {
					if !def.withDoc && def.expr.MatchString(text) {
						n++
					}
				}
				if n != 1 {
					t.Errorf("%s: observed %q matches %d steps, want 1", d.ID, o, n)
				}
			}
		}
	}
}

func TestLoadLedgerRejectsBadEntries(t *testing.T) {
	for _, tc := range []struct{ name, yaml string }{
		{"unknown field", "deviations:\n  - id: a\n    colour: red\n"},
		{"repeated id", "deviations:\n  - id: a\n  - id: a\n"},
		{"missing id", "deviations:\n  - summary: x\n"},
		{"bad regexp", "deviations:\n  - id: a\n    steps:\n      - documented: '('\n        observed: [x]\n"},
		{"no observed", "deviations:\n  - id: a\n    steps:\n      - documented: 'x'\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := mapFS(map[string]string{"deviations/bad.yaml": tc.yaml})
			if _, err := LoadLedger(fsys, "bad"); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestParseGreeting(t *testing.T) {
	// A protocol-10 handshake: header, version 10, "5.5.5-10.11\0", id 115.
	good := append([]byte{0x4a, 0, 0, 0, 10}, []byte("5.5.5-10.11\x00")...)
	good = append(good, 115, 0, 0, 0, 'x')
	for _, tc := range []struct {
		name    string
		in      []byte
		want    uint32
		wantErr bool
	}{
		{"handshake", good, 115, false},
		{"empty", nil, 0, true},
		{"protocol 9", []byte{1, 0, 0, 0, 9, 'a', 0, 1, 0, 0, 0}, 0, true},
		{"error packet", []byte{9, 0, 0, 0, 0xff, 0x15, 0x04}, 0, true},
		{"cut in the version", []byte{4, 0, 0, 0, 10, '5', '.'}, 0, true},
		{"cut in the id", []byte{4, 0, 0, 0, 10, '5', 0, 1, 2}, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseGreeting(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("parseGreeting = %d, %v; want %d, error %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestEscapeQuery(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/v1/sessions", "/v1/sessions"},
		{"/v1/sessions?ttl=1", "/v1/sessions?ttl=1"},
		{`/v1/sessions?filter=id=eq("1")`, "/v1/sessions?filter=id%3Deq%28%221%22%29"},
		{"/v1/sessions?fields[sessions]=user,state&pretty", "/v1/sessions?fields%5Bsessions%5D=user%2Cstate&pretty"},
		{"/v1/sessions?filter=id=or(eq(1), eq(2))", "/v1/sessions?filter=id%3Dor%28eq%281%29%2C%20eq%282%29%29"},
		{"/v1/sessions?ttl=", "/v1/sessions?ttl="},
	} {
		if got := escapeQuery(tc.in); got != tc.want {
			t.Errorf("escapeQuery(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestExpand(t *testing.T) {
	s := &scenario{
		target:   Target{SQLUser: "maxuser"},
		clients:  map[string]*sqlClient{"app": {id: "12", host: "127.0.0.1", port: 40000, program: "mxh-1-app"}},
		notes:    map[string]string{"etag": `"abc"`},
		unusedID: "9000000001",
	}
	for _, tc := range []struct {
		in, want string
		wantErr  bool
	}{
		{"/v1/sessions/{app}", "/v1/sessions/12", false},
		{"port={app.port} program={app.program}", "port=40000 program=mxh-1-app", false},
		{"{etag} {unused-id}", `"abc" 9000000001`, false},
		{"{sql-user}@{app.host}", "maxuser@127.0.0.1", false},
		{`{"data": {}}`, `{"data": {}}`, false},
		{"{nobody}", "", true},
		{"{etag.port}", "", true},
	} {
		got, err := s.expand(tc.in)
		if (err != nil) != tc.wantErr || (!tc.wantErr && got != tc.want) {
			t.Errorf("expand(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestDecodeJSONKeepsIntegersAndReals(t *testing.T) {
	v, err := decodeJSON([]byte(`{"i": 1, "r": 1.0, "e": 1e3, "a": [2, 0.5], "big": 9007199254740993}`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"i": int64(1), "r": 1.0, "e": 1000.0, "a": []any{int64(2), 0.5}, "big": int64(9007199254740993)}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("decodeJSON = %#v, want %#v", v, want)
	}
	if _, err := decodeJSON([]byte(`{} {}`)); err == nil {
		t.Error("two documents: no error")
	}
}

func TestCheckMemory(t *testing.T) {
	doc := func(total int64) any {
		v, err := decodeJSON([]byte(`{"connection_buffers": {"backends": {"server1": {"misc": 662, "readq": 0, "total": 662, "writeq": 0}},
			"client": {"misc": 654, "readq": 65536, "total": 66190, "writeq": 0}, "total": 66852},
			"exec_metadata": 0, "last_queries": 0, "sescmd_history": 485, "total": ` + itoa(total) + `, "variables": 0}`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if err := checkMemory(doc(67337)); err != nil {
		t.Errorf("the documentation's example: %v", err)
	}
	if err := checkMemory(doc(67338)); err == nil {
		t.Error("a total one too high: no error")
	}
}

func TestQuoted(t *testing.T) {
	if got := quoted(`"a", "b" and "c"`); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("quoted = %v", got)
	}
	if got := quoted("none"); got != nil {
		t.Errorf("quoted(none) = %v", got)
	}
}

// Every deviation of the 24.02 ledger is one the contract records, and the
// ledger marks as security exactly those the contract does.
func TestLedgerAgreesWithTheContract(t *testing.T) {
	files, err := fs.Glob(features.FS, "deviations/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("ledgers: %v %v", files, err)
	}
	devs, err := spec.Deviations()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]spec.Deviation{}
	for _, d := range devs {
		byID[d.ID] = d
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "deviations/"), ".yaml")
		l, err := LoadLedger(features.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		// maxscale-24.08 describes the 24.08 line: each entry it requires is
		// a deviation the contract records for a 24.08 version.
		line := strings.TrimPrefix(name, "maxscale-")
		for _, d := range l.Deviations {
			c, ok := byID[d.ID]
			if !ok {
				t.Errorf("%s: ledger id %q is not an x-observed id of the contract", name, d.ID)
				continue
			}
			if c.Security != d.Security {
				t.Errorf("%s: %s: ledger security %v, contract security %v", name, d.ID, d.Security, c.Security)
			}
			if d.Security && !d.Optional {
				t.Errorf("%s: %s: a security deviation must be optional (the simulator never reproduces it)", name, d.ID)
			}
			if !d.Optional && !slices.ContainsFunc(c.Versions, func(v string) bool { return strings.HasPrefix(v, line+".") }) {
				t.Errorf("%s: requires %s, but the contract records it only for %v", name, d.ID, c.Versions)
			}
		}
	}
}

// Every scenario (each outline row too) has a name of its own, so that
// reports, JUnit files and go test's subtests tell them apart.
func TestScenarioNamesAreUnique(t *testing.T) {
	var ids messages.Incrementing
	seen := map[string]string{}
	err := fs.WalkDir(features.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".feature") {
			return err
		}
		b, err := features.FS.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(b), ids.NewId)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		for _, pk := range gherkin.Pickles(*doc, p, ids.NewId) {
			if other, dup := seen[pk.Name]; dup {
				t.Errorf("scenario name %q in %s and %s", pk.Name, other, p)
			}
			seen[pk.Name] = p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) < 150 {
		t.Errorf("only %d scenarios", len(seen))
	}
}
