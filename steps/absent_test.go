package steps_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mxharness/mxharness/features"
	"github.com/mxharness/mxharness/steps"
	"github.com/mxharness/mxharness/target"
)

// A documented property that the contract records as absent for a release
// (x-observed absent: no-seconds-alive on 23.08) is a known deviation under
// a ledger that lists it and a failure without one: the simulator's
// maxscale-23.08 profile leaves seconds_alive out of the session documents.
func TestAbsentPropertyIsAKnownDeviationOnlyWithItsLedger(t *testing.T) {
	const feature = `Feature: absent

  Scenario: one session
    Given a client "app" is connected to "RW-Split-Router"
    When I send GET "/v1/sessions/{app}"
    Then the response status is 200

  Scenario: the collection
    Given a client "app" is connected to "RW-Split-Router"
    When I send GET "/v1/sessions"
    Then the response status is 200
`
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "deviations"), 0o755); err != nil {
		t.Fatal(err)
	}
	ledger, err := features.FS.ReadFile("deviations/maxscale-23.08.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"absent.feature": []byte(feature), "deviations/maxscale-23.08.yaml": ledger} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tgt, stop, err := target.InProcess(t.Context(), "maxscale-23.08")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	for _, tc := range []struct {
		ledger string
		want   steps.Verdict
	}{{"maxscale-23.08", steps.KnownDeviation}, {"", steps.Fails}} {
		res, err := steps.Run(t.Context(), tgt, steps.Options{Paths: []string{dir}, Ledger: tc.ledger})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Scenarios) != 2 {
			t.Fatalf("ledger %q: %d scenarios, want 2", tc.ledger, len(res.Scenarios))
		}
		for _, sc := range res.Scenarios {
			if sc.Verdict != tc.want {
				t.Errorf("ledger %q: %s: %s, want %s%s", tc.ledger, sc.Name, sc.Verdict, tc.want, failing(sc.Steps))
			}
			if tc.ledger != "" && !slices.Equal(sc.Deviations, []string{"no-seconds-alive"}) {
				t.Errorf("ledger %q: %s: deviations %v, want [no-seconds-alive]", tc.ledger, sc.Name, sc.Deviations)
			}
			if tc.ledger == "" && !strings.Contains(failing(sc.Steps), `seconds_alive: required: property "seconds_alive" is missing (the contract records this as deviation no-seconds-alive)`) {
				t.Errorf("no ledger: %s: the failure does not name the missing seconds_alive and its deviation:%s", sc.Name, failing(sc.Steps))
			}
		}
	}
}
