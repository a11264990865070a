// Package features holds the documented behaviour of MaxScale 24.02's
// session resource as Gherkin scenarios, and the deviation ledgers that say
// where a MaxScale version is known to depart from it. It is data only.
package features

import "embed"

// FS holds every feature file and every deviation ledger, so that a binary
// can run the suite without the source tree.
//
//go:embed *.feature deviations/*.yaml
var FS embed.FS
