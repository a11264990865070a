// Package clock is the simulator's time. Everything in the state model that
// depends on time (connected, seconds_alive, idle, io_activity, the TTL
// sweep) reads it from a Clock, so that tests and the control API can
// freeze and advance it.
//
// A Sim runs with real time by default. Frozen, it stands still until
// Advance moves it; Advance also runs, before it returns, every periodic
// job (Every) that fell due, so a test that advances the clock past a
// session's TTL sees the kill done when Advance returns.
package clock

import (
	"sync"
	"time"
)

// Clock is what the simulator needs of time.
type Clock interface {
	// Now returns the current simulated time.
	Now() time.Time
	// Every runs fn once per period of simulated time, with the simulated
	// time of the period's boundary, until stop is called. When the clock
	// jumps over several boundaries (Advance), fn runs once, with the last
	// boundary. fn runs on the clock's goroutine or in Advance's caller;
	// it must not call Advance.
	Every(period time.Duration, fn func(now time.Time)) (stop func())
}

// Sim is a Clock that follows real time, offset by whatever Advance added,
// until it is frozen.
type Sim struct {
	mu       sync.Mutex
	offset   time.Duration // added to real time while running
	frozen   bool
	frozenAt time.Time
	jobs     map[*job]struct{}
	wake     chan struct{} // nudges the runner after a change
	running  bool          // a runner goroutine exists
	realNow  func() time.Time
}

type job struct {
	period time.Duration
	next   time.Time
	fn     func(time.Time)
}

// New returns a clock that follows real time.
func New() *Sim {
	return &Sim{jobs: map[*job]struct{}{}, wake: make(chan struct{}, 1), realNow: time.Now}
}

// NewFrozen returns a clock frozen at t.
func NewFrozen(t time.Time) *Sim {
	s := New()
	s.frozen, s.frozenAt = true, t
	return s
}

// Now returns the simulated time.
func (s *Sim) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Sim) nowLocked() time.Time {
	if s.frozen {
		return s.frozenAt
	}
	return s.realNow().Add(s.offset)
}

// Frozen reports whether the clock stands still.
func (s *Sim) Frozen() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.frozen
}

// Freeze stops the clock at the current simulated time.
func (s *Sim) Freeze() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.frozen {
		s.frozenAt, s.frozen = s.nowLocked(), true
	}
}

// Unfreeze lets the clock run again with real time from where it stood.
func (s *Sim) Unfreeze() {
	s.mu.Lock()
	if s.frozen {
		s.offset = s.frozenAt.Sub(s.realNow())
		s.frozen = false
	}
	s.mu.Unlock()
	s.nudge()
}

// Advance moves the clock forward by d (a negative d is ignored) and runs
// the periodic jobs that fell due before returning.
func (s *Sim) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	s.mu.Lock()
	if s.frozen {
		s.frozenAt = s.frozenAt.Add(d)
	} else {
		s.offset += d
	}
	due := s.dueLocked(s.nowLocked())
	s.mu.Unlock()
	runDue(due)
	s.nudge()
}

// Every implements Clock. The first boundary is one period from now.
func (s *Sim) Every(period time.Duration, fn func(time.Time)) func() {
	if period <= 0 {
		panic("clock: Every with a non-positive period")
	}
	j := &job{period: period, fn: fn}
	s.mu.Lock()
	j.next = s.nowLocked().Add(period)
	s.jobs[j] = struct{}{}
	if !s.running {
		s.running = true
		go s.run()
	}
	s.mu.Unlock()
	s.nudge()
	return func() {
		s.mu.Lock()
		delete(s.jobs, j)
		s.mu.Unlock()
		s.nudge()
	}
}

type dueJob struct {
	fn func(time.Time)
	at time.Time
}

// dueLocked advances every job whose boundary has passed and returns the
// calls to make, one per job.
func (s *Sim) dueLocked(now time.Time) []dueJob {
	var due []dueJob
	for j := range s.jobs {
		if now.Before(j.next) {
			continue
		}
		n := now.Sub(j.next) / j.period // whole periods passed after next
		at := j.next.Add(n * j.period)
		j.next = at.Add(j.period)
		due = append(due, dueJob{j.fn, at})
	}
	return due
}

func runDue(due []dueJob) {
	for _, d := range due {
		d.fn(d.at)
	}
}

func (s *Sim) nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run fires jobs while the clock runs with real time. It exits when there
// are no jobs left.
func (s *Sim) run() {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.mu.Lock()
		if len(s.jobs) == 0 {
			s.running = false
			s.mu.Unlock()
			return
		}
		now := s.nowLocked()
		due := s.dueLocked(now)
		wait := time.Duration(-1) // frozen: wait for a nudge only
		if !s.frozen {
			wait = time.Hour
			for j := range s.jobs {
				wait = min(wait, j.next.Sub(now))
			}
		}
		s.mu.Unlock()
		runDue(due)
		if len(due) > 0 {
			continue // time moved on while the jobs ran
		}
		if wait < 0 {
			<-s.wake
			continue
		}
		timer.Reset(wait)
		select {
		case <-timer.C:
		case <-s.wake:
			timer.Stop() // since Go 1.23 Stop leaves no stale tick behind
		}
	}
}
