package jsonapi

import (
	"strings"
)

// A matcher decides whether one JSON value passes a filter expression.
type matcher func(v any) bool

// Error texts of the filter expression parser (hresp.cc), exact.
const (
	msgEmptyExpression   = "Empty filter expression"
	msgNotAnExpression   = "Not a valid filter expression: "
	msgTrailingData      = "Unexpected trailing data: "
	msgInvalidJSON       = "Invalid JSON: "
	msgInvalidFilterForm = "Invalid filter expression: "
)

// exprError is a parse failure; its text is what MaxScale logs and puts in
// the 400 reply.
type exprError string

func (e exprError) Error() string { return string(e) }

// parseFilterExpression parses MaxScale's filter expression language:
//
//	expr := JSON | eq(JSON) | ne(JSON) | lt(JSON) | le(JSON) | gt(JSON) | ge(JSON)
//	      | and(expr[,expr]...) | or(...) | not(...)
//
// A bare JSON value means eq and is only tried when the text does not start
// with a letter. No whitespace is allowed between tokens (only jansson's
// own leading whitespace before a JSON value is skipped).
func parseFilterExpression(s string) (matcher, error) {
	p := exprParser{rest: s}
	m, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.rest != "" {
		return nil, exprError(msgTrailingData + p.rest)
	}
	return m, nil
}

type exprParser struct{ rest string }

type comparison func(lhs, rhs any) bool

var comparisons = []struct {
	name string
	cmp  comparison
}{
	// Order matters only in that no name is a prefix of another.
	{"eq", jsonEqual},
	{"ne", func(l, r any) bool { return !jsonEqual(l, r) }},
	{"lt", jsonLess},
	{"gt", func(l, r any) bool { return jsonLess(r, l) }},
	{"le", func(l, r any) bool { return jsonLess(l, r) || !jsonLess(r, l) }},
	{"ge", func(l, r any) bool { return jsonLess(r, l) || !jsonLess(l, r) }},
}

type logic func(subs []matcher, v any) bool

var logics = []struct {
	name string
	fn   logic
}{
	{"and", func(subs []matcher, v any) bool {
		for _, m := range subs {
			if !m(v) {
				return false
			}
		}
		return true
	}},
	{"or", func(subs []matcher, v any) bool {
		for _, m := range subs {
			if m(v) {
				return true
			}
		}
		return false
	}},
	{"not", func(subs []matcher, v any) bool {
		for _, m := range subs {
			if m(v) {
				return false
			}
		}
		return true
	}},
}

func (p *exprParser) expr() (matcher, error) {
	if p.rest == "" {
		return nil, exprError(msgEmptyExpression)
	}
	if !isAlpha(p.rest[0]) {
		if v, n, ok := parseJSONPrefix(p.rest); ok {
			p.rest = p.rest[n:]
			return func(lhs any) bool { return jsonEqual(lhs, v) }, nil
		}
	}
	for _, c := range comparisons {
		if p.tryConsume(c.name) {
			return p.comparison(c.cmp)
		}
	}
	for _, l := range logics {
		if p.tryConsume(l.name) {
			return p.logic(l.fn)
		}
	}
	return nil, exprError(msgNotAnExpression + p.rest)
}

func (p *exprParser) comparison(cmp comparison) (matcher, error) {
	if err := p.consume("("); err != nil {
		return nil, err
	}
	v, n, ok := parseJSONPrefix(p.rest)
	if !ok {
		return nil, exprError(msgInvalidJSON + p.rest)
	}
	p.rest = p.rest[n:]
	if err := p.consume(")"); err != nil {
		return nil, err
	}
	return func(lhs any) bool { return cmp(lhs, v) }, nil
}

func (p *exprParser) logic(fn logic) (matcher, error) {
	if err := p.consume("("); err != nil {
		return nil, err
	}
	var subs []matcher
	for {
		m, err := p.expr()
		if err != nil {
			return nil, err
		}
		subs = append(subs, m)
		if !p.tryConsume(",") {
			break
		}
	}
	if err := p.consume(")"); err != nil {
		return nil, err
	}
	return func(v any) bool { return fn(subs, v) }, nil
}

func (p *exprParser) tryConsume(tok string) bool {
	if strings.HasPrefix(p.rest, tok) {
		p.rest = p.rest[len(tok):]
		return true
	}
	return false
}

func (p *exprParser) consume(tok string) error {
	got := p.rest[:min(len(tok), len(p.rest))]
	if got != tok {
		return exprError("Expected '" + tok + "', got '" + got + "'")
	}
	p.rest = p.rest[len(tok):]
	return nil
}

// jsonEqual is jansson's json_equal: deep and type-strict (1 != 1.0,
// 1 != "1"); reals compare by value.
func jsonEqual(a, b any) bool {
	a, b = scalar(a), scalar(b)
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case uint64:
		y, ok := b.(uint64)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	}
	if x, ok := AsObject(a); ok {
		y, ok := AsObject(b)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !jsonEqual(xv, yv) {
				return false
			}
		}
		return true
	}
	if x, ok := asArray(a); ok {
		y, ok := asArray(b)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// jsonLess is MaxScale's lt: true only when both sides have the same type
// and it is a string (byte-wise), an integer or a real.
func jsonLess(a, b any) bool {
	switch x := scalar(a).(type) {
	case string:
		y, ok := b.(string)
		return ok && x < y
	case int64:
		y, ok := scalar(b).(int64)
		return ok && x < y
	case float64:
		y, ok := scalar(b).(float64)
		return ok && x < y
	}
	return false
}
