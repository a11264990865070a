package jsonapi

import "sync"

// ErrorBuffer imitates MaxScale's process-wide buffer of error-level
// messages (config_runtime.cc): messages logged while a request runs
// without failing it (Shape's logged texts) stay buffered, and the next
// error reply on any request sends them first, then its own details.
// Safe for concurrent use; the zero value is ready.
type ErrorBuffer struct {
	mu   sync.Mutex
	msgs []string
}

// Add buffers messages for the next error reply.
func (b *ErrorBuffer) Add(msgs ...string) {
	if len(msgs) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.msgs = append(b.msgs, msgs...)
}

// Take returns the buffered messages followed by details and empties the
// buffer: the detail list of an error reply about to be sent.
func (b *ErrorBuffer) Take(details ...string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := append(b.msgs, details...)
	b.msgs = nil
	return out
}
