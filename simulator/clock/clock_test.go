package clock

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 26, 19, 0, 0, 0, time.UTC)

func TestFrozenClockMovesOnlyWithAdvance(t *testing.T) {
	c := NewFrozen(t0)
	if !c.Frozen() || !c.Now().Equal(t0) {
		t.Fatalf("NewFrozen: Frozen %v Now %v", c.Frozen(), c.Now())
	}
	c.Advance(1500 * time.Millisecond)
	c.Advance(-time.Hour) // ignored
	if got := c.Now(); !got.Equal(t0.Add(1500 * time.Millisecond)) {
		t.Errorf("Now after Advance = %v", got)
	}
}

func TestEveryFiresOncePerBoundaryCrossedByAdvance(t *testing.T) {
	c := NewFrozen(t0)
	var calls []time.Time
	stop := c.Every(time.Second, func(now time.Time) { calls = append(calls, now) })
	c.Advance(900 * time.Millisecond)
	if len(calls) != 0 {
		t.Fatalf("fired before the first boundary: %v", calls)
	}
	c.Advance(200 * time.Millisecond) // crosses t0+1s
	c.Advance(3 * time.Second)        // crosses +2s, +3s, +4s: one call, at +4s
	want := []time.Time{t0.Add(time.Second), t0.Add(4 * time.Second)}
	if len(calls) != 2 || !calls[0].Equal(want[0]) || !calls[1].Equal(want[1]) {
		t.Errorf("calls = %v, want %v", calls, want)
	}
	stop()
	c.Advance(5 * time.Second)
	if len(calls) != 2 {
		t.Errorf("fired after stop: %v", calls)
	}
}

func TestUnfreezeContinuesFromTheFrozenTime(t *testing.T) {
	c := NewFrozen(t0)
	c.Unfreeze()
	if c.Frozen() {
		t.Fatal("still frozen")
	}
	if d := c.Now().Sub(t0); d < 0 || d > time.Minute {
		t.Errorf("Now after Unfreeze is %s from the frozen time", d)
	}
	c.Freeze()
	a := c.Now()
	if b := c.Now(); !a.Equal(b) {
		t.Errorf("frozen clock moved: %v → %v", a, b)
	}
}

func TestRunningClockFiresWithRealTime(t *testing.T) {
	c := New()
	fired := make(chan time.Time, 1)
	stop := c.Every(10*time.Millisecond, func(now time.Time) {
		select {
		case fired <- now:
		default:
		}
	})
	defer stop()
	select {
	case <-fired:
	case <-time.After(5 * time.Second):
		t.Fatal("a running clock did not fire Every within 5 s")
	}
}
