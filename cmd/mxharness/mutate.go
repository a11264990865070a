package main

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mxharness/mxharness/mutate"
)

func init() {
	commands["mutate"] = command{
		summary: "break one documented behaviour at a time behind a proxy and check that the suite catches each",
		run:     runMutate,
	}
}

const mutateUsageText = `usage: mxharness mutate [flags]

Runs the mutation campaign: each mutant breaks one documented behaviour of the
session resource in a reverse proxy in front of the server, and the suite runs
through it. A mutant is killed when a scenario that holds without it fails
with it. By default every mutant gets an embedded simulator of its own, in the
profile where its break is visible; with --api the mutants run one at a time
in front of that server, judged with --ledger.

  mxharness mutate                        every mutant against embedded simulators
  mxharness mutate --list                 the mutants and the statements they break
  mxharness mutate --run 'filter|page'    only the mutants whose name matches
  mxharness mutate --api http://127.0.0.1:8989 --sql 127.0.0.1:4006 --ledger maxscale-24.02

The last line is "killed K/N mutants". Exit status: 0 every mutant killed,
1 a mutant survived, 2 bad flags or the suite does not hold without a mutant.

flags:
`

func runMutate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var vc verifyConfig
	fs := newFlagSet("mutate", mutateUsageText, stderr)
	vc.targetFlags(fs)
	ledger := fs.String("ledger", "", "deviation ledger `VERSION` to judge a running server with (default none)")
	runExpr := fs.String("run", "", "run only the mutants whose name matches this `REGEXP`")
	list := fs.Bool("list", false, "list the mutants and exit")
	parallel := fs.Int("parallel", 2, "mutants run at once against embedded simulators")
	fs.IntVar(&vc.concurrency, "concurrency", 4, "scenarios each run runs at once")
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "mxharness mutate: "+format+"\n", a...)
		return verifyUsage
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q (mutate takes only flags)", fs.Arg(0))
	}
	vc.profile = observedProfile
	if err := vc.check(); err != nil {
		return fail("%v", err)
	}
	if *parallel < 1 {
		return fail("--parallel %d: want 1 or more", *parallel)
	}
	re, err := regexp.Compile(*runExpr)
	if err != nil {
		return fail("--run: %v", err)
	}
	var mutants []mutate.Mutant
	for _, m := range mutate.Mutants {
		if re.MatchString(m.Name) {
			mutants = append(mutants, m)
		}
	}
	if len(mutants) == 0 {
		return fail("--run %q matches no mutant (see --list)", *runExpr)
	}
	if *list {
		listMutants(stdout, mutants)
		return verifyPass
	}
	c := mutate.Campaign{Mutants: mutants, Parallel: *parallel, Concurrency: vc.concurrency}
	if vc.apiURL != "" {
		if *ledger != "" && *ledger != noLedger {
			c.Ledger = *ledger
		}
		c.Target = urlTarget(vc)
		if err := checkTarget(ctx, c.Target); err != nil {
			return fail("%v", err)
		}
	} else if *ledger != "" {
		return fail("--ledger needs --api: embedded mutants are judged in their own profile's ledger")
	}
	fmt.Fprintf(stdout, "mutate: %d mutants against %s\n", len(mutants), targetName(c))
	c.Done = func(o mutate.Outcome) {
		if o.Killed {
			fmt.Fprintf(stdout, "killed    %-38s by %d of %d scenarios, e.g. %s (%s)\n", o.Mutant.Name, len(o.By), o.Scenarios, o.By[0], o.Duration.Round(time.Second/10))
			return
		}
		if o.NotApplicable {
			fmt.Fprintf(stdout, "n/a       %-38s changed no exchange in %d scenarios: the target never showed what it breaks (%s)\n", o.Mutant.Name, o.Scenarios, o.Duration.Round(time.Second/10))
			return
		}
		fmt.Fprintf(stdout, "SURVIVED  %-38s %d scenarios ran (%s)\n", o.Mutant.Name, o.Scenarios, o.Duration.Round(time.Second/10))
	}
	rep, err := mutate.Run(ctx, c)
	if err != nil {
		return fail("%v", err)
	}
	for _, m := range rep.Excluded {
		if id := m.LeftOutBy(c.Ledger); id == m.Reproduces {
			fmt.Fprintf(stdout, "excluded  %-38s reproduces %s, which ledger %s records\n", m.Name, id, c.Ledger)
		} else {
			fmt.Fprintf(stdout, "excluded  %-38s breaks what %s leaves out, which ledger %s records\n", m.Name, id, c.Ledger)
		}
	}
	survivors := rep.Survivors()
	if len(survivors) > 0 {
		fmt.Fprintf(stdout, "\n%d mutants survived; the suite does not check these statements:\n", len(survivors))
		for _, o := range survivors {
			fmt.Fprintf(stdout, "  %s: %s %q (features/README.md)\n", o.Mutant.Name, o.Mutant.Breaks, o.Mutant.Statement)
		}
	}
	if n := len(rep.Outcomes) - len(rep.Applicable()); n > 0 {
		fmt.Fprintf(stdout, "\n%d mutants not applicable: they changed no exchange with this target, which does not show the documented behaviour they break (its ledger records how it departs)\n", n)
	}
	fmt.Fprintf(stdout, "\ncampaign took %s\n", rep.Duration.Round(time.Second))
	fmt.Fprintf(stdout, "killed %d/%d mutants\n", rep.Killed(), len(rep.Applicable()))
	if len(survivors) > 0 {
		return verifyFail
	}
	return verifyPass
}

// observedProfile is the profile check accepts; mutate runs every profile.
const observedProfile = "maxscale-24.02"

func targetName(c mutate.Campaign) string {
	if c.Target.APIURL == "" {
		return "embedded simulators (one per mutant, in its profile)"
	}
	l := c.Ledger
	if l == "" {
		l = noLedger
	}
	return c.Target.Name + " (ledger " + l + ")"
}

func listMutants(w io.Writer, mutants []mutate.Mutant) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MUTANT\tBREAKS\tPROFILE\tTAGS\tSTATEMENT")
	for _, m := range mutants {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.Name, m.Breaks, m.Profile, m.Tags, strings.TrimSpace(m.Statement))
	}
	_ = tw.Flush()
}
