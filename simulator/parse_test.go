package simulator

import "testing"

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
	} {
		msg, ok := janssonCheck([]byte(tc.body))
		if ok != (tc.want == "") || msg != tc.want {
			t.Errorf("janssonCheck(%q) = %q, %v; want %q", tc.body, msg, ok, tc.want)
		}
	}
}
