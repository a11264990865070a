package steps_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/features"
	"github.com/mxharness/mxharness/simulator"
	"github.com/mxharness/mxharness/steps"
	"github.com/mxharness/mxharness/target"
)

// TestFeatures runs every embedded scenario against the in-process simulator
// in every profile: "documented" must conform everywhere with no ledger, and
// each release line's profile (maxscale-24.02, maxscale-23.08, ...) must show
// exactly the required deviations of the ledger of the same name and nothing
// else. Each scenario is a subtest (godog's TestingT).
func TestFeatures(t *testing.T) {
	profiles, err := simulator.Profiles()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(profiles, simulator.ProfileMaxScale) {
		t.Fatalf("profiles %v lack %s", profiles, simulator.ProfileMaxScale)
	}
	for _, profile := range profiles {
		tc := struct{ profile, ledger string }{profile, profile}
		if profile == simulator.ProfileDocumented {
			tc.ledger = ""
		}
		t.Run(tc.profile, func(t *testing.T) {
			t.Parallel()
			tgt, stop, err := target.InProcess(t.Context(), tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(stop)
			res, err := steps.Run(t.Context(), tgt, steps.Options{
				Ledger: tc.ledger, Concurrency: 8, Randomize: -1, TestingT: t,
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Scenarios) == 0 {
				t.Fatal("no scenario ran")
			}
			counts := res.Count()
			t.Logf("%s: %d scenarios in %s: %v", tgt.Name, len(res.Scenarios), res.Duration.Round(1e6), counts)
			for _, sc := range res.Scenarios {
				switch {
				case sc.Verdict == steps.Skipped:
					t.Errorf("%s:%d %s: skipped, but the simulator has every account and listener", sc.URI, sc.Line, sc.Name)
				case tc.ledger == "" && sc.Verdict != steps.Conforms:
					t.Errorf("%s:%d %s: %s %v, want conforms%s", sc.URI, sc.Line, sc.Name, sc.Verdict, sc.Deviations, failing(sc.Steps))
				case sc.Verdict == steps.Fails || sc.Verdict == steps.ChangedDeviation:
					t.Errorf("%s:%d %s: %s%s", sc.URI, sc.Line, sc.Name, sc.Verdict, failing(sc.Steps))
				}
			}
			if tc.ledger == "" {
				return
			}
			l, err := steps.LoadLedger(features.FS, tc.ledger)
			if err != nil {
				t.Fatal(err)
			}
			if unseen := l.Unseen(res); len(unseen) > 0 {
				t.Errorf("required deviations of ledger %s that no scenario showed: %v", tc.ledger, unseen)
			}
			for _, sc := range res.Scenarios {
				for _, id := range sc.Deviations {
					if d, _ := l.Entry(id); d.Security {
						t.Errorf("%s: the simulator showed the security deviation %s, which it must never reproduce", sc.Name, id)
					}
				}
			}
		})
	}
}

// failing lists the steps that failed or carry a note, one per line.
func failing(st []steps.StepResult) string {
	var b strings.Builder
	for _, s := range st {
		if s.Error != "" {
			fmt.Fprintf(&b, "\n\t%s %q: %s", s.Status, s.Text, s.Error)
		}
	}
	return b.String()
}
