// Package mutate proves that the suite can fail. It puts a mutating reverse
// proxy between the suite's HTTP client and a server and breaks one
// documented behaviour of the session resource at a time, the way a real
// implementation gets it wrong (a wrong status, a renamed attribute, a query
// parameter ignored or half applied, a kill that leaves the client
// connected, an ETag that never changes, a read-only account that writes).
// Each mutant is a row of the Mutants table: its name, the documentation
// statement it breaks (features/README.md), the simulator profile in which
// the break is visible, and the rewrite. Run runs the real suite (package
// steps) against each mutant in turn; a mutant is killed when a scenario
// that holds without it fails with it.
package mutate

import "github.com/mxharness/mxharness/features"

// featuresFS holds the ledgers a campaign against a running server reads.
var featuresFS = features.FS
