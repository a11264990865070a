package steps

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"

	"github.com/cucumber/godog"
)

// handler is the body of a step: args are the regexp's submatches, doc the
// step's doc string ("" when it has none).
type handler func(ctx context.Context, s *scenario, args []string, doc string) error

// stepDef is one step sentence. The same table registers the steps with godog
// and lets the ledger run an observed alternative by its text (dispatch).
type stepDef struct {
	expr    *regexp.Regexp
	withDoc bool
	fn      handler
}

// errNoStep is returned by dispatch for a text no step matches.
var errNoStep = errors.New("no step matches")

func def(expr string, fn handler) stepDef {
	return stepDef{expr: regexp.MustCompile(expr), fn: fn}
}

func defDoc(expr string, fn handler) stepDef {
	return stepDef{expr: regexp.MustCompile(expr), withDoc: true, fn: fn}
}

var (
	typeOfContext   = reflect.TypeFor[context.Context]()
	typeOfString    = reflect.TypeFor[string]()
	typeOfDocString = reflect.TypeFor[*godog.DocString]()
	typeOfError     = reflect.TypeFor[error]()
)

// godogHandler builds a function of the shape godog expects for d: a context,
// one string per submatch, the doc string if any, returning error. Each call
// runs d's body for s and then lets the ledger judge the outcome.
func (d stepDef) godogHandler(s *scenario) any {
	in := []reflect.Type{typeOfContext}
	for range d.expr.NumSubexp() {
		in = append(in, typeOfString)
	}
	if d.withDoc {
		in = append(in, typeOfDocString)
	}
	ft := reflect.FuncOf(in, []reflect.Type{typeOfError}, false)
	return reflect.MakeFunc(ft, func(vals []reflect.Value) []reflect.Value {
		ctx := vals[0].Interface().(context.Context)
		args := make([]string, d.expr.NumSubexp())
		for i := range args {
			args[i] = vals[1+i].String()
		}
		doc := ""
		if d.withDoc {
			if ds, _ := vals[len(vals)-1].Interface().(*godog.DocString); ds != nil {
				doc = ds.Content
			}
		}
		err := s.judge(ctx, d.fn(ctx, s, args, doc))
		errVal := reflect.New(typeOfError).Elem()
		if err != nil {
			errVal.Set(reflect.ValueOf(err))
		}
		return []reflect.Value{errVal}
	}).Interface()
}

// dispatch runs the step whose sentence matches text, without a doc string.
// The ledger uses it to check an observed alternative.
func dispatch(ctx context.Context, s *scenario, defs []stepDef, text string) error {
	for _, d := range defs {
		if d.withDoc {
			continue
		}
		if m := d.expr.FindStringSubmatch(text); m != nil {
			return d.fn(ctx, s, m[1:], "")
		}
	}
	return fmt.Errorf("%w: %q", errNoStep, text)
}
