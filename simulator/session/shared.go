package session

import (
	"strconv"
	"sync"
)

// sharedMaps hands out the maps of kept states that many sessions show
// alike: their parameters and their backends' buffers. A kept state is
// read only, so sessions of equal values share one map; a map per session
// and state was a fifth of what a listed session keeps.
type sharedMaps struct {
	mu      sync.Mutex
	params  map[uint64]map[string]bool
	buffers map[string]map[string]Buffers
}

// maxShared bounds each table: values beyond it get maps of their own.
const maxShared = 256

// parameters returns the map of each name to on(name).
func (m *sharedMaps) parameters(names []string, on func(string) bool) map[string]bool {
	if len(names) > 64 {
		return parameterMap(names, on)
	}
	var set uint64 // bit i: names[i] is on
	for i, n := range names {
		if on(n) {
			set |= 1 << i
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if p, ok := m.params[set]; ok {
		return p
	}
	p := parameterMap(names, on)
	if m.params == nil {
		m.params = map[uint64]map[string]bool{}
	}
	if len(m.params) < maxShared {
		m.params[set] = p
	}
	return p
}

func parameterMap(names []string, on func(string) bool) map[string]bool {
	p := make(map[string]bool, len(names))
	for _, n := range names {
		p[n] = on(n)
	}
	return p
}

// backendBuffers returns the buffers of the backends' servers: each
// connection accounts for backendMisc bytes of its server's.
func (m *sharedMaps) backendBuffers(backends []Backend) map[string]Buffers {
	var id []byte // the servers, each after its length
	for _, b := range backends {
		id = strconv.AppendInt(id, int64(len(b.Server)), 10)
		id = append(id, ':')
		id = append(id, b.Server...)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if bs, ok := m.buffers[string(id)]; ok {
		return bs
	}
	bs := make(map[string]Buffers, len(backends))
	for _, b := range backends {
		buf := bs[b.Server]
		buf.Misc += backendMisc
		buf.Total = buf.WriteQ + buf.ReadQ + buf.Misc
		bs[b.Server] = buf
	}
	if m.buffers == nil {
		m.buffers = map[string]map[string]Buffers{}
	}
	if len(m.buffers) < maxShared {
		m.buffers[string(id)] = bs
	}
	return bs
}
