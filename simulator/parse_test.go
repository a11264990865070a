package simulator

import (
	"strings"
	"testing"
)

func TestAtoiIsGlibcs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0}, {"abc", 0}, {"0", 0}, {"-5", -5}, {"0.9", 0}, {"5", 5}, {"5s", 5}, {" 5", 5}, {"\t+5", 5}, {"5.9", 5},
		{"2147483647", 2147483647}, {"2147483648", -2147483648}, {"4294967296", 0}, {"4294967298", 2}, {"4294967301", 5},
		{"9223372036854775807", -1}, {"9223372036854775808", -1}, {"99999999999999999999", -1},
		{"-9223372036854775808", 0}, {"-99999999999999999999", 0}, {"--5", 0}, {"- 5", 0},
	} {
		if got := atoi(tc.in); got != tc.want {
			t.Errorf("atoi(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestJanssonErrors(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{}`, ""}, {`[]`, ""}, {` {"a": [1, 2.5, -3e2, "x\"y", true, false, null, {}]} `, ""},
		{`null`, `'[' or '{' expected near 'null'`},
		{`log_info=true`, `'[' or '{' expected near 'log'`},
		{`not json`, `'[' or '{' expected near 'not'`},
		{`{"data": {bad json`, `string or '}' expected near 'bad'`},
		{`1`, `'[' or '{' expected near '1'`},
		{`"x"`, `'[' or '{' expected near '"x"'`},
		{`{"a" 1}`, `':' expected near '1'`},
		{`{"a": 1`, `'}' expected near end of file`},
		{`[1 2]`, `']' expected near '2'`},
		{`{"a": nul}`, `invalid token near 'nul'`},
		{`{"a": }`, `unexpected token near '}'`},
		{`{} x`, `end of file expected near 'x'`},
		{`{"a`, `premature end of input near '"a'`},
		{"{\"a\nb\": 1}", `control character 0x0a near '"a` + "\n" + `'`},
		// jansson decodes UTF-8 as it reads (stream_get): an invalid
		// sequence is the error wherever the lexer meets it, with the
		// token's text so far as context (none between tokens).
		{"{\"data\":\"\xff\xfe\"}", `unable to decode byte 0xff near '"'`},
		{"\xff", `unable to decode byte 0xff`},
		{"{} \xc3", `unable to decode byte 0xc3`},
		{"[12\xff]", `unable to decode byte 0xff near '12'`},
		{"[tru\xe9]", `unable to decode byte 0xe9 near 'tru'`},
		{"{\"\\\xff\"}", `unable to decode byte 0xff near '"\'`},
		{"[\"\xed\xa0\x80\"]", `unable to decode byte 0xed near '"'`},               // a surrogate
		{"[\"\xc0\xaf\"]", `unable to decode byte 0xc0 near '"'`},                   // overlong '/'
		{"[\"\xf4\x90\x80\x80\"]", `unable to decode byte 0xf4 near '"'`},           // above U+10FFFF
		{"[\"" + strings.Repeat("x", 25) + "\xff\"]", `unable to decode byte 0xff`}, // context over 20 bytes: none
		{`{"a": "é ✓ 😀"}`, ""},
		{`{é}`, `string or '}' expected near 'é'`},
		{"[1] x \xff", `end of file expected near 'x'`},      // a syntax error before the byte wins
		{"[1] x\xff", `unable to decode byte 0xff near 'x'`}, // read as the lookahead that ends x
	} {
		msg, ok := janssonCheck([]byte(tc.body))
		if ok != (tc.want == "") || msg != tc.want {
			t.Errorf("janssonCheck(%q) = %q, %v; want %q", tc.body, msg, ok, tc.want)
		}
	}
}
