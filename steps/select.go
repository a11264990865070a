package steps

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"
)

// ErrNoScenarios is the error of a run whose tag expression selects no
// scenario: in CI, a typo in the filter would otherwise turn the gate off
// with a silent pass. Options.AllowEmpty accepts such a run.
var ErrNoScenarios = errors.New("selects no scenario")

// tagTerm is one term of godog's tag expressions: a tag, optionally
// negated with ~ (godog drops every @, so @ is optional too).
var tagTerm = regexp.MustCompile(`^~?@?[^\s~@,&|()]+$`)

// CheckTags checks a godog tag expression: terms joined by && (and) and ,
// (or), each a tag optionally negated with ~, such as '@get && ~@slow' or
// '@list,@kill'. godog's own parser panics on an empty term ('@get &&',
// '@a,'), and takes a word such as 'and' or 'not' as part of a tag that no
// scenario has; both are errors here, each naming the expression.
func CheckTags(expr string) error {
	if strings.TrimSpace(expr) == "" {
		return nil
	}
	for _, or := range strings.Split(expr, ",") {
		for _, term := range strings.Split(or, "&&") {
			term = strings.TrimSpace(term)
			switch {
			case term == "":
				return fmt.Errorf("tag expression %q has an empty term: && and , join tags such as '@get && ~@slow' or '@list,@kill'", expr)
			case !tagTerm.MatchString(term):
				return fmt.Errorf("tag expression %q: %q is not a tag; a term is @tag or ~@tag, joined by && (and) or , (or), with no parentheses, 'and', 'or' or 'not'", expr, term)
			}
		}
	}
	return nil
}

// Selection checks o.Tags and counts the scenarios it selects, with
// godog's own parser and tag filter, so the count is what a run runs. A
// selection of none is ErrNoScenarios (wrapped, naming the tags of the
// expression no scenario has), unless o.AllowEmpty.
func Selection(o Options) (int, error) {
	sel, err := selectScenarios(o)
	return len(sel.order), err
}

// selected is what a run's tag expression selects, from godog's own parse
// of the features: the scenarios (pickle ids) in file order, and where each
// step comes from in its feature file. godog's ids count up from the start
// of each parse of the same files, so they are the ids the run sees.
type selected struct {
	order []string
	steps map[string]stepSource // by the step's AST node id
}

// stepSource is a step of a feature file: its keyword and line.
type stepSource struct {
	keyword string
	line    int
}

func selectScenarios(o Options) (selected, error) {
	if err := CheckTags(o.Tags); err != nil {
		return selected{}, err
	}
	fsys, paths, err := featureSource(o.Paths)
	if err != nil {
		return selected{}, err
	}
	suite := godog.TestSuite{Options: &godog.Options{Paths: paths, FS: fsys, Tags: o.Tags}}
	features, err := suite.RetrieveFeatures()
	if err != nil {
		return selected{}, fmt.Errorf("features: %w", err)
	}
	sel := selected{steps: map[string]stepSource{}}
	for _, f := range features {
		for _, p := range f.Pickles {
			sel.order = append(sel.order, p.Id)
		}
		if f.GherkinDocument == nil || f.GherkinDocument.Feature == nil {
			continue
		}
		addSteps := func(bg *messages.Background, sc *messages.Scenario) {
			var list []*messages.Step
			if bg != nil {
				list = bg.Steps
			}
			if sc != nil {
				list = append(list, sc.Steps...)
			}
			for _, st := range list {
				sel.steps[st.Id] = stepSource{keyword: strings.TrimSpace(st.Keyword), line: int(st.Location.Line)}
			}
		}
		for _, c := range f.GherkinDocument.Feature.Children {
			addSteps(c.Background, c.Scenario)
			if c.Rule != nil {
				for _, rc := range c.Rule.Children {
					addSteps(rc.Background, rc.Scenario)
				}
			}
		}
	}
	if len(sel.order) > 0 || o.AllowEmpty {
		return sel, nil
	}
	unknown, err := UnknownTags(o)
	if err != nil {
		return selected{}, err
	}
	if len(unknown) > 0 {
		return selected{}, fmt.Errorf("tag expression %q %w: no scenario is tagged %s", o.Tags, ErrNoScenarios, strings.Join(unknown, ", "))
	}
	return selected{}, fmt.Errorf("tag expression %q %w", o.Tags, ErrNoScenarios)
}

// UnknownTags lists the tags o.Tags names that no scenario of the
// features has, such as a misspelt exclusion ('~@slwo') that silently
// excludes nothing.
func UnknownTags(o Options) ([]string, error) {
	if strings.TrimSpace(o.Tags) == "" {
		return nil, nil
	}
	fsys, paths, err := featureSource(o.Paths)
	if err != nil {
		return nil, err
	}
	all := godog.TestSuite{Options: &godog.Options{Paths: paths, FS: fsys}}
	everything, err := all.RetrieveFeatures()
	if err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	var known []string
	for _, f := range everything {
		for _, p := range f.Pickles {
			for _, t := range p.Tags {
				known = append(known, strings.TrimPrefix(t.Name, "@"))
			}
		}
	}
	var unknown []string
	for _, or := range strings.Split(o.Tags, ",") {
		for _, term := range strings.Split(or, "&&") {
			tag := strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(term), "~"), "@", "")
			if !slices.Contains(known, tag) && !slices.Contains(unknown, "@"+tag) {
				unknown = append(unknown, "@"+tag)
			}
		}
	}
	return unknown, nil
}
