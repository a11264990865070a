package bench

import (
	"strconv"
	"testing"
	"time"

	"github.com/mxharness/mxharness/simulator"
	"github.com/mxharness/mxharness/steps"
	"github.com/mxharness/mxharness/target"
)

// BenchmarkVerifySuite runs the whole suite (every embedded feature) against
// the in-process simulator in its default profile, judged with the
// maxscale-24.02 ledger, as `mxharness verify` does with its default four
// scenarios at a time. s/run is one whole run, simulator start and stop
// included; the target is under 10 s.
func BenchmarkVerifySuite(b *testing.B) {
	for _, concurrency := range []int{1, 4} {
		b.Run("concurrency="+strconv.Itoa(concurrency), func(b *testing.B) {
			var scenarios int
			for b.Loop() {
				tgt, stop, err := target.InProcess(b.Context(), simulator.ProfileMaxScale)
				if err != nil {
					b.Fatal(err)
				}
				res, err := steps.Run(b.Context(), tgt, steps.Options{Ledger: "maxscale-24.02", Concurrency: concurrency})
				stop()
				if err != nil {
					b.Fatal(err)
				}
				if res.Failed() {
					b.Errorf("the suite failed against the simulator: %v", res.Count())
				}
				scenarios = len(res.Scenarios)
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
			b.ReportMetric(float64(scenarios), "scenarios")
			b.ReportMetric(float64(b.Elapsed()/time.Duration(max(b.N*scenarios, 1)))/1e6, "ms/scenario")
		})
	}
}
