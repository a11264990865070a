package session

import (
	"cmp"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// fullSnapshot returns a snapshot with a value in every field at every
// depth, so that changing any one of them is a visible change.
func fullSnapshot() Snapshot {
	at := time.Date(2026, 11, 27, 4, 0, 0, 0, time.UTC)
	return Snapshot{
		ID: "7", Service: "RW-Split-Router", State: StateStarted, User: "app", Remote: "127.0.0.1", Port: 40000,
		Thread: 1, Connected: at, SecondsAlive: 1.5, Idle: 0.5, IOActivity: 3,
		Backends:             []Backend{{Server: "server1", ConnectionID: 9}},
		ConnectionAttributes: map[string]string{"_client_name": "libmariadb"},
		History:              &History{Len: 1, StoredResponses: 1, StoredMetadata: 1},
		Parameters:           map[string]bool{"log_info": true},
		Filters:              []string{"Hint"},
		Queries: []Query{{Command: "COM_QUERY", Statement: "SELECT 1", Received: at, Completed: at,
			Server: "server1", Duration: time.Millisecond}},
		Log: []string{"line"},
		Memory: Memory{Client: Buffers{1, 2, 3, 6}, Backends: map[string]Buffers{"server1": {1, 2, 3, 6}},
			BuffersTotal: 12, LastQueries: 1, Variables: 2, SescmdHistory: 3, ExecMetadata: 4, Total: 22},
		Memo: new(atomic.Value),
	}
}

// TestSameStateSeesEveryField changes every leaf of a snapshot in turn —
// found by reflection, so a field added to Snapshot later is covered —
// and expects SameState to notice each change except the clock's.
func TestSameStateSeesEveryField(t *testing.T) {
	ignored := map[string]bool{"SecondsAlive": true, "Idle": true, "IOActivity": true, "Memo": true}
	base := fullSnapshot()
	changes := 0
	for i := 0; ; i++ {
		s := fullSnapshot()
		path, ok := changeLeaf(reflect.ValueOf(&s).Elem(), "", new(i))
		if !ok {
			break
		}
		changes++
		top := path[1:]
		if j := slices.IndexFunc([]byte(top), func(c byte) bool { return c == '.' || c == '[' }); j >= 0 {
			top = top[:j]
		}
		if same := base.SameState(&s); same != ignored[top] {
			t.Errorf("changing %s: SameState = %v", path, same)
		}
	}
	if changes < 30 {
		t.Fatalf("only %d leaves changed: the walk missed fields", changes)
	}
	// The only nil that renders differently from empty: connection
	// attributes (null against {}).
	s := fullSnapshot()
	s.ConnectionAttributes = map[string]string{}
	o := fullSnapshot()
	o.ConnectionAttributes = nil
	if s.SameState(&o) {
		t.Error("nil and empty connection attributes are the same state")
	}
	if !base.SameState(new(fullSnapshot())) {
		t.Error("two equal snapshots are not the same state")
	}
}

// changeLeaf changes the (*n)th leaf below v (0-based, depth first, map
// keys in order) and returns its path; it decrements *n for every leaf
// it passes. A leaf is a scalar, a time, a pointer's or map's presence
// and a slice's or map's length.
func changeLeaf(v reflect.Value, path string, n *int) (string, bool) {
	hit := func() bool { *n--; return *n < 0 }
	switch {
	case v.Type() == reflect.TypeFor[time.Time]():
		if hit() {
			v.Set(reflect.ValueOf(v.Interface().(time.Time).Add(time.Second)))
			return path, true
		}
		return "", false
	case v.Type() == reflect.TypeFor[*atomic.Value]():
		if hit() {
			v.Set(reflect.ValueOf(new(atomic.Value)))
			return path, true
		}
		return "", false
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				continue // kept: where a snapshot was copied from, not what it shows
			}
			if p, ok := changeLeaf(v.Field(i), path+"."+v.Type().Field(i).Name, n); ok {
				return p, true
			}
		}
	case reflect.Pointer:
		if hit() {
			v.Set(reflect.Zero(v.Type()))
			return path + "(nil)", true
		}
		return changeLeaf(v.Elem(), path, n)
	case reflect.Slice:
		if hit() {
			v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
			return path + "(longer)", true
		}
		for i := range v.Len() {
			if p, ok := changeLeaf(v.Index(i), fmt.Sprintf("%s[%d]", path, i), n); ok {
				return p, true
			}
		}
	case reflect.Map:
		if hit() {
			v.SetMapIndex(reflect.ValueOf("added"), reflect.Zero(v.Type().Elem()))
			return path + "(longer)", true
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.String(), b.String()) })
		for _, k := range keys {
			el := reflect.New(v.Type().Elem()).Elem()
			el.Set(v.MapIndex(k))
			if p, ok := changeLeaf(el, path+"["+k.String()+"]", n); ok {
				v.SetMapIndex(k, el)
				return p, true
			}
		}
	case reflect.String:
		if hit() {
			v.SetString(v.String() + "x")
			return path, true
		}
	case reflect.Int, reflect.Int64:
		if hit() {
			v.SetInt(v.Int() + 1)
			return path, true
		}
	case reflect.Uint64:
		if hit() {
			v.SetUint(v.Uint() + 1)
			return path, true
		}
	case reflect.Float64:
		if hit() {
			v.SetFloat(v.Float() + 1)
			return path, true
		}
	case reflect.Bool:
		if hit() {
			v.SetBool(!v.Bool())
			return path, true
		}
	default:
		panic("changeLeaf: no change defined for " + v.Type().String() + " at " + path)
	}
	return "", false
}

// TestSharedMaps: kept states of equal parameters or backends share one
// map, which holds what a map of their own would.
func TestSharedMaps(t *testing.T) {
	var m sharedMaps
	names := []string{"log_error", "log_info", "log_notice"}
	on := func(set ...string) func(string) bool { return func(n string) bool { return slices.Contains(set, n) } }
	a, b := m.parameters(names, on("log_info")), m.parameters(names, on("log_info"))
	if want := map[string]bool{"log_error": false, "log_info": true, "log_notice": false}; !maps.Equal(a, want) {
		t.Errorf("parameters = %v, want %v", a, want)
	}
	if reflect.ValueOf(a).UnsafePointer() != reflect.ValueOf(b).UnsafePointer() {
		t.Error("equal parameters got two maps")
	}
	if c := m.parameters(names, on("log_error", "log_notice")); c["log_info"] || !c["log_error"] || !c["log_notice"] {
		t.Errorf("other parameters = %v", c)
	}
	bs := m.backendBuffers([]Backend{{Server: "server1"}, {Server: "server2"}, {Server: "server1"}})
	want := map[string]Buffers{"server1": {Misc: 2 * backendMisc, Total: 2 * backendMisc}, "server2": {Misc: backendMisc, Total: backendMisc}}
	if !maps.Equal(bs, want) {
		t.Errorf("backend buffers = %v, want %v", bs, want)
	}
	if other := m.backendBuffers([]Backend{{Server: "server1"}, {Server: "server2"}}); other["server1"].Misc != backendMisc {
		t.Errorf("two backends share the map of three: %v", other)
	}
}
