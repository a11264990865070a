package jsonapi

// A Hole is where MarshalHoles wrote a value that a Member's pointer
// stands for (Member): the bytes body[Start:End] of Value's encoding. A
// renderer that lays only its clock's values over Frozen objects through
// pointers can keep such a body and write it again with new values for as
// long as nothing else it shows changes: a page of 100 sessions is then a
// copy and 300 values, not 100 rows laid over and indented.
type Hole struct {
	Start, End int
	Value      any // the pointer, as the Member held it
}

// MarshalHoles is Marshal that also returns the holes of the body, in
// order.
func MarshalHoles(v any, pretty bool) ([]byte, []Hole) {
	e := getEncoder(pretty, nil)
	holes := []Hole{}
	e.holes = &holes
	e.value(v, 0)
	out := e.buf
	e.buf = nil // the body leaves with the buffer
	e.release()
	return out, holes
}

// hole records that the value p stands for was written from start to the
// end of the buffer.
func (e *encoder) hole(start int, p any) {
	if e.holes != nil {
		*e.holes = append(*e.holes, Hole{Start: start, End: len(e.buf), Value: p})
	}
}

// joinHoles takes the holes of a helper whose buffer is about to be
// appended to e's.
func (e *encoder) joinHoles(h *encoder) {
	if e.holes == nil {
		return
	}
	for _, x := range *h.holes {
		x.Start += len(e.buf)
		x.End += len(e.buf)
		*e.holes = append(*e.holes, x)
	}
}
