package steps

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckTags(t *testing.T) {
	for _, expr := range []string{"", "@get", "~@slow", "@get && ~@slow", "@list,@kill", " @a && @b , ~@c ", "get", "@kill && @write && ~@slow"} {
		if err := CheckTags(expr); err != nil {
			t.Errorf("CheckTags(%q) = %v, want nil", expr, err)
		}
	}
	for _, expr := range []string{"@get &&", "&&", "@a,", ",", "&& @a", "@a && && @b", "@a and @b", "not @a", "(@a)", "@a || @b", "@a @b", "~"} {
		err := CheckTags(expr)
		if err == nil || !strings.Contains(err.Error(), `"`+expr+`"`) {
			t.Errorf("CheckTags(%q) = %v, want an error naming the expression", expr, err)
		}
	}
}

// Every expression CheckTags accepts goes through godog's parser and tag
// filter without a panic; those it refuses never reach it.
func TestSelection(t *testing.T) {
	n, err := Selection(Options{Tags: "@get"})
	if err != nil || n == 0 {
		t.Fatalf("Selection(@get) = %d, %v; want some scenarios", n, err)
	}
	all, err := Selection(Options{})
	if err != nil || all <= n {
		t.Errorf("Selection() = %d, %v; want more than the %d of @get", all, err, n)
	}
	if neg, err := Selection(Options{Tags: "~@get"}); err != nil || neg != all-n {
		t.Errorf("Selection(~@get) = %d, %v; want %d", neg, err, all-n)
	}
	if _, err := Selection(Options{Tags: "@get &&"}); err == nil {
		t.Error("Selection(@get &&): no error")
	}
	_, err = Selection(Options{Tags: "@get && @nosuchtag,@nosuchother"})
	if !errors.Is(err, ErrNoScenarios) || !strings.Contains(err.Error(), "@nosuchtag, @nosuchother") {
		t.Errorf("Selection of unknown tags: %v, want ErrNoScenarios naming them", err)
	}
	if n, err := Selection(Options{Tags: "@nosuchtag", AllowEmpty: true}); n != 0 || err != nil {
		t.Errorf("Selection(@nosuchtag, AllowEmpty) = %d, %v; want 0, nil", n, err)
	}
}
