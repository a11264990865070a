package control

import (
	"errors"
	"fmt"
)

// ErrInvalid marks input the control API rejects with 400.
var ErrInvalid = errors.New("invalid input")

// ErrNotFound marks a fault or session that does not exist (404).
var ErrNotFound = errors.New("not found")

// classified is an error whose text is the whole detail shown to the client
// and which matches one of the sentinels above with errors.Is.
type classified struct {
	kind error
	msg  string
}

func (e *classified) Error() string { return e.msg }
func (e *classified) Unwrap() error { return e.kind }

func invalidf(format string, a ...any) error {
	return &classified{kind: ErrInvalid, msg: fmt.Sprintf(format, a...)}
}

func notFoundf(format string, a ...any) error {
	return &classified{kind: ErrNotFound, msg: fmt.Sprintf(format, a...)}
}
