package jsonapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestMarshalRoundTripsTranscripts decodes every recorded JSON body and
// re-marshals it; MaxScale's bytes must come back exactly, in the format the
// request asked for (pretty unless ?pretty is falsy).
func TestMarshalRoundTripsTranscripts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "observed", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		tr := loadTranscript(t, name)
		if len(tr.body) == 0 || tr.headers["Content-Type"] != "application/json" {
			continue
		}
		checked++
		t.Run(name, func(t *testing.T) {
			pretty := bytes.HasPrefix(tr.body, []byte("{\n")) || bytes.Equal(tr.body, []byte("{}"))
			got := Marshal(tr.tree(t), pretty)
			if !bytes.Equal(got, tr.body) {
				t.Errorf("Marshal(Decode(body), %v) differs\n got: %s\nwant: %s", pretty, got, tr.body)
			}
		})
	}
	if checked < 40 {
		t.Fatalf("only %d transcript bodies checked", checked)
	}
}

func TestMarshal(t *testing.T) {
	tests := []struct {
		name   string
		v      any
		pretty bool
		want   string
	}{
		{"empty object pretty", map[string]any{}, true, `{}`},
		{"empty array pretty", map[string]any{"a": []any{}}, true, "{\n    \"a\": []\n}"},
		{"nested pretty", map[string]any{"b": []any{int64(1), map[string]any{}}, "a": nil}, true,
			"{\n    \"a\": null,\n    \"b\": [\n        1,\n        {}\n    ]\n}"},
		{"compact sorted", map[string]any{"z": true, "a": false, "m": "x"}, false, `{"a":false,"m":"x","z":true}`},
		{"real 0.7", 0.7, false, `0.69999999999999996`},
		{"real 5.210584368", 5.210584368, false, `5.2105843680000001`},
		{"whole real", 10.0, false, `10.0`},
		{"zero real", 0.0, false, `0.0`},
		{"negative zero", math.Copysign(0, -1), false, `-0.0`},
		{"big real exponent", 1e20, false, `1e20`},
		{"small real exponent", 1e-5, false, `1.0000000000000001e-5`},
		{"negative exponent with digits", -2.5e-10, false, `-2.5000000000000002e-10`},
		{"NaN", math.NaN(), false, `null`},
		{"int", 42, false, `42`},
		{"int64 min", int64(math.MinInt64), false, `-9223372036854775808`},
		{"uint64 max", uint64(math.MaxUint64), false, `18446744073709551615`},
		{"slash and unicode kept", "a/b é ✓", false, `"a/b é ✓"`},
		{"escapes", "\"\\\b\f\n\r\t\x01\x1f\x7f", false, `"\"\\\b\f\n\r\t\u0001\u001F` + "\x7f\""},
		{"invalid utf8", "a\xffb", false, "\"a\uFFFDb\""},
		{"integer kinds", []any{int8(-8), int16(16), int32(-32), uint(1), uint8(8), uint16(16), uint32(32), float32(0.5)}, false,
			`[-8,16,-32,1,8,16,32,0.5]`},
		{"json.Number", []any{json.Number("7"), json.Number("7.0"), json.Number("x")}, false, `[7,7.0,null]`},
		{"map[string]int64", map[string]int64{"b": 2, "a": -1}, false, `{"a":-1,"b":2}`},
		{"[]map[string]any", []map[string]any{{"a": true}}, false, `[{"a":true}]`},
		{"unmarshalable", func() {}, false, `null`},
		{"typed nil containers", map[string]any{"m": map[string]any(nil), "s": []any(nil), "n": nil}, false,
			`{"m":{},"n":null,"s":[]}`},
		{"map[string]string sorted", map[string]string{"b": "2", "a": "1"}, false, `{"a":"1","b":"2"}`},
		{"[]string", []string{"x", "y"}, true, "[\n    \"x\",\n    \"y\"\n]"},
		{"struct via encoding/json", struct {
			B int     `json:"b"`
			A float64 `json:"a"`
		}{1, 2}, false, `{"a":2,"b":1}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(Marshal(tc.v, tc.pretty)); got != tc.want {
				t.Errorf("Marshal(%#v, %v) = %s, want %s", tc.v, tc.pretty, got, tc.want)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		in      string
		want    any
		wantErr bool
	}{
		{`1`, int64(1), false},
		{`1.0`, 1.0, false},
		{`1e2`, 100.0, false},
		{`-1E2`, -100.0, false},
		{`"x"`, "x", false},
		{`null`, nil, false},
		{`9223372036854775808`, nil, true},
		{`{} x`, nil, true},
		{`{`, nil, true},
		{``, nil, true},
	}
	for _, tc := range tests {
		got, err := Decode([]byte(tc.in))
		if (err != nil) != tc.wantErr {
			t.Errorf("Decode(%q) error = %v, wantErr %v", tc.in, err, tc.wantErr)
			continue
		}
		if err == nil && got != tc.want {
			t.Errorf("Decode(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}

// sessionFixture returns n copies of the session in 003-get-one with
// distinct ids, as a collection document.
func sessionFixture(t testing.TB, n int) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "observed", "003-get-one.txt"))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := parseTranscript(raw)
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]any, n)
	for i := range rows {
		doc, err := Decode(tr.body)
		if err != nil {
			t.Fatal(err)
		}
		res := doc.(map[string]any)["data"].(map[string]any)
		res["id"] = itoa(i + 1)
		rows[i] = res
	}
	return map[string]any{"data": rows, "links": map[string]any{"self": "http://127.0.0.1:8989/v1/sessions/"}}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestDeepIndent checks indentation beyond the 16 levels written at once,
// against encoding/json's indenter (same layout for arrays of integers).
func TestDeepIndent(t *testing.T) {
	var v any = int64(1)
	for range 40 {
		v = []any{v}
	}
	got := Marshal(v, true)
	var want bytes.Buffer
	raw, _ := json.Marshal(v)
	if err := json.Indent(&want, raw, "", "    "); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("deep indent differs\n got: %s\nwant: %s", got, want.Bytes())
	}
}

// FuzzMarshalRoundTrip: for any JSON document, both layouts of Marshal
// decode back to an equal tree, and re-marshalling is stable.
func FuzzMarshalRoundTrip(f *testing.F) {
	for _, seed := range []string{`{"b":[1,2.5,{"x":null}],"a":"\u00e9/\n"}`, `[]`, `{}`, `0.1`, `-0.0`, `1e300`,
		`"\u001f\"\\"`, `[[],[{}]]`, `{"":true}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		v, err := Decode([]byte(doc))
		if err != nil {
			return
		}
		for _, pretty := range []bool{false, true} {
			out := Marshal(v, pretty)
			w, err := Decode(out)
			if err != nil {
				t.Fatalf("Marshal(%s, %v) = %s, not JSON: %v", doc, pretty, out, err)
			}
			if !jsonEqual(v, w) {
				t.Fatalf("Marshal(%s, %v) = %s decodes to a different tree", doc, pretty, out)
			}
			if again := Marshal(w, pretty); !bytes.Equal(again, out) {
				t.Fatalf("Marshal not stable: %s then %s", out, again)
			}
		}
	})
}

// TestAppendRealIsJanssonsFormat compares AppendReal with C's %.17g (Go's
// fmt, which prints the same digits) after jansson's own edits, over the
// edges of the fixed and exponent forms and many random reals.
func TestAppendRealIsJanssonsFormat(t *testing.T) {
	jansson := func(f float64) string {
		s := fmt.Sprintf("%.17g", f)
		if i := strings.IndexByte(s, 'e'); i >= 0 {
			mant, exp := s[:i], s[i+1:]
			sign := ""
			if exp[0] == '-' {
				sign = "-"
			}
			return mant + "e" + sign + strings.TrimLeft(exp[1:], "0")
		}
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	values := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 4.5, 12.25, 1e-4, 9.9999e-5, 1e-5, 1e16, 1e17, 99999999999999999,
		1.5e16, 123456789012345678, math.MaxFloat64, math.SmallestNonzeroFloat64, -2.5e-10, 1e300, 0.001, 1234.5,
		// Ties at the 18th digit, rounded half to even; the edges of digits17.
		1234567890123456.75, 1234567890123456.25, 1<<53 - 0.5, 1 << 53, 0.00099999999999999999, 0.001000000000000001,
		9.99999999999999999e15, 99999999999999.99, 0.30000000000000004, 0.1 + 0.2, 3.5, 5e-324}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		values = append(values, math.Float64frombits(rng.Uint64()), rng.Float64()*math.Pow(10, float64(rng.IntN(40)-20)),
			float64(rng.Int64N(1e12))/1e9, float64(rng.IntN(100000))/10) // as seconds_alive and idle are made
	}
	for _, f := range values {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		if got, want := string(AppendReal(nil, f)), jansson(f); got != want {
			t.Fatalf("AppendReal(%v) = %s, want %s", f, got, want)
		}
	}
}
