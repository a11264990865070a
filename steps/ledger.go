package steps

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// Ledger lists where one MaxScale version is known to depart from its
// documentation: for each deviation, the documented steps that fail on that
// version and the observed behaviour that holds instead.
type Ledger struct {
	// Name is the ledger's file name without .yaml, e.g. "maxscale-24.02".
	Name string `json:"-"`
	// Describes says which servers the ledger was written from.
	Describes  string      `json:"describes"`
	Deviations []Deviation `json:"deviations"`
}

// Deviation is one known departure from the documentation.
type Deviation struct {
	// ID is the kebab-case id the contract's x-observed entries use.
	ID      string `json:"id"`
	Summary string `json:"summary"`
	// Evidence points at what shows it, e.g. observed-24.02.4 case numbers.
	Evidence string `json:"evidence,omitempty"`
	// Security marks a deviation that lets somebody do what they must not.
	Security bool `json:"security,omitempty"`
	// Optional deviations need not show: a run that never meets one is not a
	// changed deviation. The simulator never reproduces security flaws, so
	// they are optional.
	Optional bool `json:"optional,omitempty"`
	// Scenarios, if set, limits the deviation to scenarios whose name
	// matches one of these regular expressions.
	Scenarios []string `json:"scenarios,omitempty"`
	// Tags, if set, limits the deviation to scenarios with one of these tags.
	Tags []string `json:"tags,omitempty"`
	// Steps are the documented step sentences this deviation makes fail,
	// each with the observed sentences that hold instead. A deviation with
	// no steps is only seen in responses the contract explains with its id.
	Steps []DeviationStep `json:"steps,omitempty"`

	scenarios []*regexp.Regexp
}

// DeviationStep maps one documented step to the observed behaviour.
type DeviationStep struct {
	// Documented is a regular expression for the documented step's text.
	Documented string `json:"documented"`
	// Observed are step sentences that hold instead; $1… refer to the
	// submatches of Documented.
	Observed []string `json:"observed"`
	// Optional: on this version the documented step may hold too (it
	// depends on what else the target serves, or on timing), so its
	// passing is no changed deviation. The entry's other steps keep their
	// weight.
	Optional bool `json:"optional,omitempty"`

	documented *regexp.Regexp
}

// LoadLedger reads deviations/<name>.yaml from fsys (features.FS or a
// directory that holds the features).
func LoadLedger(fsys fs.FS, name string) (*Ledger, error) {
	b, err := fs.ReadFile(fsys, path.Join("deviations", name+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("ledger %q: %w", name, err)
	}
	var l Ledger
	if err := yaml.UnmarshalStrict(b, &l); err != nil {
		return nil, fmt.Errorf("ledger %q: %w", name, err)
	}
	l.Name = name
	seen := map[string]bool{}
	for i := range l.Deviations {
		d := &l.Deviations[i]
		if d.ID == "" || seen[d.ID] {
			return nil, fmt.Errorf("ledger %q: entry %d: missing or repeated id %q", name, i, d.ID)
		}
		seen[d.ID] = true
		for _, expr := range d.Scenarios {
			re, err := regexp.Compile(expr)
			if err != nil {
				return nil, fmt.Errorf("ledger %q: %s: scenarios: %w", name, d.ID, err)
			}
			d.scenarios = append(d.scenarios, re)
		}
		for j := range d.Steps {
			st := &d.Steps[j]
			re, err := regexp.Compile(st.Documented)
			if err != nil {
				return nil, fmt.Errorf("ledger %q: %s: step %d: %w", name, d.ID, j, err)
			}
			if len(st.Observed) == 0 {
				return nil, fmt.Errorf("ledger %q: %s: step %d has no observed alternative", name, d.ID, j)
			}
			st.documented = re
		}
	}
	return &l, nil
}

// Entry returns the deviation with the given id.
func (l *Ledger) Entry(id string) (Deviation, bool) {
	if l == nil {
		return Deviation{}, false
	}
	i := slices.IndexFunc(l.Deviations, func(d Deviation) bool { return d.ID == id })
	if i < 0 {
		return Deviation{}, false
	}
	return l.Deviations[i], true
}

func (l *Ledger) has(id string) bool {
	_, ok := l.Entry(id)
	return ok
}

// Unseen returns the ids of required (not optional) deviations that no
// scenario of r showed: each is a behaviour the target no longer has, or a
// scenario that no longer ran.
func (l *Ledger) Unseen(r *Result) []string {
	if l == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, sc := range r.Scenarios {
		for _, id := range sc.Deviations {
			seen[id] = true
		}
	}
	var ids []string
	for _, d := range l.Deviations {
		if !d.Optional && !seen[d.ID] {
			ids = append(ids, d.ID)
		}
	}
	return ids
}

// appliesTo reports whether d is in scope for a scenario.
func (d *Deviation) appliesTo(name string, tags map[string]bool) bool {
	if len(d.Tags) > 0 && !slices.ContainsFunc(d.Tags, func(t string) bool { return tags[t] }) {
		return false
	}
	if len(d.scenarios) > 0 && !slices.ContainsFunc(d.scenarios, func(re *regexp.Regexp) bool { return re.MatchString(name) }) {
		return false
	}
	return true
}

// candidate is a ledger step that applies to the step being judged, with
// its observed sentences already expanded.
type candidate struct {
	dev      *Deviation
	observed []string
	optional bool // the entry or the step is optional
}

// candidates returns the ledger steps in scope for the step text in this
// scenario, in ledger order.
func (l *Ledger) candidates(text, scenario string, tags map[string]bool) []candidate {
	if l == nil {
		return nil
	}
	var out []candidate
	for i := range l.Deviations {
		d := &l.Deviations[i]
		if !d.appliesTo(scenario, tags) {
			continue
		}
		for _, st := range d.Steps {
			m := st.documented.FindStringSubmatchIndex(text)
			if m == nil {
				continue
			}
			c := candidate{dev: d, optional: d.Optional || st.Optional}
			for _, o := range st.Observed {
				c.observed = append(c.observed, string(st.documented.ExpandString(nil, o, text, m)))
			}
			out = append(out, c)
		}
	}
	return out
}

// errChanged marks a step where a ledger entry applied, the documented
// behaviour failed and the observed behaviour failed too: the server now
// does something else than the ledger says.
var errChanged = errors.New("changed deviation")

// judge decides what a step's outcome means given the ledger:
//   - it passed and no required entry applies: conforms;
//   - it passed but a required entry applies (and its step is not
//     optional): the server conforms where the ledger expects a deviation
//     (recorded as changed; the step passes);
//   - it failed and an entry's observed sentences all hold: known deviation
//     (the step passes);
//   - it failed and entries apply but none holds: changed deviation (fails);
//   - it failed and no entry applies: the step fails.
func (s *scenario) judge(ctx context.Context, err error) error {
	if errors.Is(err, errSkipScenario) {
		return err
	}
	cands := s.run.ledger.candidates(s.currentStep(), s.name, s.tags)
	if err == nil {
		for _, c := range cands {
			if !c.optional {
				s.noteChanged(c.dev.ID)
				break
			}
		}
		return nil
	}
	if len(cands) == 0 {
		return err
	}
	var tried []string
	for _, c := range cands {
		if altErr := s.holds(ctx, c.observed); altErr != nil {
			tried = append(tried, fmt.Sprintf("%s (observed: %s): %v", c.dev.ID, strings.Join(c.observed, "; "), altErr))
			continue
		}
		s.seeDeviation(c.dev.ID)
		return nil
	}
	return fmt.Errorf("%w: documented: %v; and the ledger's observed behaviour does not hold either: %s",
		errChanged, err, strings.Join(tried, " | "))
}

// holds runs observed sentences in order and returns the first failure.
func (s *scenario) holds(ctx context.Context, observed []string) error {
	for _, text := range observed {
		if err := dispatch(ctx, s, s.run.defs, text); err != nil {
			return fmt.Errorf("%q: %w", text, err)
		}
	}
	return nil
}
