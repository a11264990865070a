package mutate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mxharness/mxharness/steps"
	"github.com/mxharness/mxharness/target"
)

// Campaign says what to run the mutants against.
type Campaign struct {
	// Target, when its APIURL is set, is a running server: every mutant
	// runs against it through the proxy, one at a time (scenarios tagged
	// @exclusive must not meet another run's), judged with Ledger. Without
	// it each mutant gets an embedded simulator of its own, in its
	// Profile, and several run at once.
	Target steps.Target
	Ledger string
	// Mutants to run (default: all).
	Mutants []Mutant
	// Parallel is how many embedded mutants run at once; Concurrency how
	// many scenarios each run runs at once (both at least 1).
	Parallel, Concurrency int
	// Done, when set, is called after each mutant, from its goroutine,
	// one at a time.
	Done   func(Outcome)
	Logger *slog.Logger
}

// Outcome is the verdict on one mutant.
type Outcome struct {
	Mutant Mutant
	// Killed is true when a scenario that holds against the server as it
	// is fails (or shows a changed deviation) with the mutant in front.
	Killed bool
	// By lists those scenarios.
	By []string
	// Scenarios is how many scenarios ran.
	Scenarios int
	// Changed is how many exchanges the mutant changed. NotApplicable is
	// true when, in front of a running server, it changed none and was not
	// killed: that server never showed the behaviour the mutant breaks, so
	// the mutant is neither a kill nor a survivor. (An embedded mutant runs
	// in the profile that shows its behaviour, so there it is a survivor.)
	Changed       int64
	NotApplicable bool
	Duration      time.Duration
}

// Report is the result of a campaign.
type Report struct {
	Outcomes []Outcome
	// Excluded are mutants left out because the run's ledger records the
	// deviation they reproduce, or one that leaves out what they break.
	Excluded []Mutant
	Duration time.Duration
}

// Applicable returns the outcomes of the mutants that changed what the
// target showed: the ones that are killed or survive.
func (r *Report) Applicable() []Outcome {
	var out []Outcome
	for _, o := range r.Outcomes {
		if !o.NotApplicable {
			out = append(out, o)
		}
	}
	return out
}

// Killed counts the killed mutants.
func (r *Report) Killed() int {
	n := 0
	for _, o := range r.Outcomes {
		if o.Killed {
			n++
		}
	}
	return n
}

// Survivors returns the mutants no scenario caught.
func (r *Report) Survivors() []Outcome {
	var out []Outcome
	for _, o := range r.Outcomes {
		if !o.Killed && !o.NotApplicable {
			out = append(out, o)
		}
	}
	return out
}

// config is one way of judging a run: the profile of the embedded
// simulator (or the running target) and the ledger.
type config struct{ profile, ledger string }

// baseline holds the verdicts of the scenarios against the server without
// a mutant, per configuration: a mutant is killed only by a scenario that
// holds there.
type baseline map[config]map[string]steps.Verdict

// Run runs the campaign: first the suite without a mutant in every
// configuration the mutants need (it must hold: a scenario that fails
// without a mutant proves nothing), then each mutant.
func Run(ctx context.Context, c Campaign) (*Report, error) {
	start := time.Now()
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Mutants == nil {
		c.Mutants = Mutants
	}
	c.Parallel, c.Concurrency = max(c.Parallel, 1), max(c.Concurrency, 1)
	running := c.Target.APIURL != ""
	rep := &Report{}
	var todo []Mutant
	for _, m := range c.Mutants {
		if running && c.Ledger != "" && m.LeftOutBy(c.Ledger) != "" {
			rep.Excluded = append(rep.Excluded, m)
			continue
		}
		todo = append(todo, m)
	}
	if running {
		c.Parallel = 1
	}
	cfgOf := func(m Mutant) config {
		if running {
			return config{ledger: c.Ledger}
		}
		return config{profile: m.Profile, ledger: profileLedger(m.Profile)}
	}
	// The baseline runs every scenario, or only the mutants' tags when all
	// the mutants of a configuration share them (a short campaign).
	base, baseTags := baseline{}, map[config]string{}
	for _, m := range todo {
		cfg := cfgOf(m)
		if tags, seen := baseTags[cfg]; !seen {
			baseTags[cfg] = m.Tags
		} else if tags != m.Tags {
			baseTags[cfg] = ""
		}
		base[cfg] = nil
	}
	for cfg := range base {
		res, _, err := c.runOnce(ctx, cfg, Mutant{Name: "none"}, baseTags[cfg])
		if err != nil {
			return nil, fmt.Errorf("the suite without a mutant (%s): %w", cfg.name(), err)
		}
		verdicts := map[string]steps.Verdict{}
		var broken []string
		for _, sc := range res.Scenarios {
			verdicts[key(sc)] = sc.Verdict
			if sc.Verdict == steps.Fails || sc.Verdict == steps.ChangedDeviation {
				broken = append(broken, key(sc))
			}
		}
		if len(broken) > 0 {
			return nil, fmt.Errorf("the suite does not hold without a mutant (%s): %s", cfg.name(), strings.Join(broken, "; "))
		}
		base[cfg] = verdicts
	}

	var mu sync.Mutex
	sem := make(chan struct{}, c.Parallel)
	var wg sync.WaitGroup
	var firstErr error
	for _, m := range todo {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			t0 := time.Now()
			cfg := cfgOf(m)
			res, changed, err := c.runOnce(ctx, cfg, m, m.Tags)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("mutant %s: %w", m.Name, err)
				}
				return
			}
			o := Outcome{Mutant: m, Scenarios: len(res.Scenarios), Changed: changed, Duration: time.Since(t0)}
			for _, sc := range res.Scenarios {
				was := base[cfg][key(sc)]
				if (sc.Verdict == steps.Fails || sc.Verdict == steps.ChangedDeviation) && (was == steps.Conforms || was == steps.KnownDeviation) {
					o.By = append(o.By, key(sc))
				}
			}
			sort.Strings(o.By)
			o.Killed = len(o.By) > 0
			o.NotApplicable = running && !o.Killed && changed == 0
			rep.Outcomes = append(rep.Outcomes, o)
			if c.Done != nil {
				c.Done(o)
			}
		})
	}
	wg.Wait()
	slices.SortFunc(rep.Outcomes, func(a, b Outcome) int { return strings.Compare(a.Mutant.Name, b.Mutant.Name) })
	rep.Duration = time.Since(start)
	if firstErr != nil {
		return rep, firstErr
	}
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("the campaign was interrupted: %w", err)
	}
	return rep, nil
}

func (c config) name() string {
	l := c.ledger
	if l == "" {
		l = "no ledger"
	}
	if c.profile == "" {
		return l
	}
	return c.profile + ", " + l
}

// key names a scenario uniquely: outline rows share a line.
func key(sc steps.ScenarioResult) string {
	return fmt.Sprintf("%s:%d %s", strings.TrimPrefix(sc.URI, "./"), sc.Line, sc.Name)
}

// profileLedger is the ledger the suite judges an embedded profile with.
func profileLedger(profile string) string {
	if profile == observed {
		return observed
	}
	return ""
}

// runOnce runs the scenarios selected by tags through a proxy with m's
// rewrite, against a new embedded simulator in cfg's profile or against
// the campaign's target. It also returns how many exchanges the mutant
// changed.
func (c Campaign) runOnce(ctx context.Context, cfg config, m Mutant, tags string) (*steps.Result, int64, error) {
	tgt := c.Target
	if tgt.APIURL == "" {
		t, stop, err := target.InProcess(ctx, cfg.profile, target.WithLogger(c.Logger))
		if err != nil {
			return nil, 0, err
		}
		defer stop()
		tgt = t
	}
	up, err := url.Parse(tgt.APIURL)
	if err != nil {
		return nil, 0, fmt.Errorf("API URL %q: %w", tgt.APIURL, err)
	}
	env := Env{User: tgt.User, Password: tgt.Password, ReadOnlyUser: tgt.ReadOnlyUser}
	var changes applied
	proxyURL, stopProxy, err := serve(watchedProxy(up, m, env, c.Logger, &changes), c.Logger)
	if err != nil {
		return nil, 0, err
	}
	defer stopProxy()
	tgt.APIURL = proxyURL
	tgt.Name += " through mutant " + m.Name
	res, err := steps.Run(ctx, tgt, steps.Options{Tags: tags, Ledger: cfg.ledger, Concurrency: c.Concurrency})
	if err != nil {
		return nil, 0, err
	}
	if len(res.Scenarios) == 0 {
		return nil, 0, errors.New("no scenario ran: check the mutant's tags " + tags)
	}
	return res, changes.n.Load(), nil
}

// LeftOutBy returns the id of the deviation, recorded by the named ledger,
// that leaves m out of a campaign judged with it: the one m reproduces, or
// one under which what m breaks does not exist (Moot); "" when none does.
func (m Mutant) LeftOutBy(ledger string) string {
	for _, id := range append([]string{m.Reproduces}, m.Moot...) {
		if id != "" && ledgerHas(ledger, id) {
			return id
		}
	}
	return ""
}

// ledgerHas reports whether the named embedded ledger records id.
func ledgerHas(name, id string) bool {
	l, err := steps.LoadLedger(featuresFS, name)
	if err != nil {
		return false
	}
	_, ok := l.Entry(id)
	return ok
}
