// Package seed holds named sets of synthetic sessions for the simulator
// (`mxharness serve --seed demo`, `POST /sim/v1/seeds/{name}`). A set is
// applied through the same registry calls the control API makes, so seeded
// sessions are ordinary sessions: they take ids from the shared counter and
// can be patched, restarted and killed like any other.
package seed

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Session describes one synthetic session: a client connection without a
// socket. Zero values mean the simulator's defaults (see the control API's
// description of createSyntheticSessions).
type Session struct {
	Service              string
	User                 string
	Remote               string
	Port                 int               // 0: the simulator picks an ephemeral port
	ConnectionAttributes map[string]string // nil: the client sent none (JSON null)
	Parameters           map[string]bool   // session-level log_info, log_notice, log_warning, log_error
	Filters              []string          // session-level filters, in chain order
	Busy                 bool              // running a query: no idle time
	Age                  time.Duration     // connected this long ago (and quiet since, unless busy)
}

// Registry is the part of the simulator's session registry a seed needs.
type Registry interface {
	// CreateSynthetic registers one synthetic session and returns its id.
	CreateSynthetic(s Session) (string, error)
}

// Set is a named data set.
type Set struct {
	Name        string
	Description string
	Sessions    []Session
}

// Apply creates the set's sessions in order and returns their ids. It stops
// at the first error.
func (s Set) Apply(reg Registry) ([]string, error) {
	ids := make([]string, 0, len(s.Sessions))
	for i, ses := range s.Sessions {
		id, err := reg.CreateSynthetic(ses)
		if err != nil {
			return ids, fmt.Errorf("seed %s: session %d of %d: %w", s.Name, i+1, len(s.Sessions), err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// sets are the known data sets by name. Each is built by a function so that
// no caller can modify a shared set.
var sets = map[string]func() Set{
	"demo": demo,
}

// Names returns the names of the known data sets, sorted.
func Names() []string { return slices.Sorted(maps.Keys(sets)) }

// Lookup returns the data set with the given name.
func Lookup(name string) (Set, bool) {
	build, ok := sets[name]
	if !ok {
		return Set{}, false
	}
	return build(), true
}

// Apply creates the sessions of the named data set through reg.
func Apply(reg Registry, name string) error {
	set, ok := Lookup(name)
	if !ok {
		return fmt.Errorf("unknown seed %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	_, err := set.Apply(reg)
	return err
}
