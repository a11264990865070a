package simulator

import (
	"regexp"
	"sync"
	"time"
)

// MaxScale's default log throttling (log_throttling=10,1000ms,10000ms): a
// message logged 10 times within 1 s is suppressed for 10 s.
const (
	throttleCount    = 10
	throttleWindow   = time.Second
	throttleSuppress = 10 * time.Second
)

// logThrottle is the throttling state of one source line of MaxScale's log
// (maxbase log.cc, MessageStats::update_suppression). MaxScale 23.08
// redirects the message "<x> is not a <type>" (resource.cc:1786) into the
// REST reply, so a suppressed message is a 404 without a body (deviation
// not-found-error-throttled).
type logThrottle struct {
	mu    sync.Mutex
	count int
	first time.Time
}

// suppressed counts one message logged at now and reports whether
// MaxScale suppresses it. The 10th message of a window still goes out;
// from the 11th on nothing does until 11 s after the window's start, and a
// message within the window moves the start.
func (t *logThrottle) suppressed(now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.count == 0 {
		t.first = now
	}
	t.count++
	since := now.Sub(t.first)
	switch {
	case t.count < throttleCount:
		return false
	case t.count == throttleCount:
		if since >= throttleWindow { // not a burst: a new window
			t.first, t.count = now, 1
		}
		return false
	case since < throttleWindow+throttleSuppress:
		if since < throttleWindow {
			t.first = now
		}
		return true
	default: // the suppression is over
		t.first, t.count = now, 1
		return false
	}
}

var notAName = regexp.MustCompile(`^.* is not a [a-z]+$`)

// isNotA reports whether the details are the one "<x> is not a <type>"
// message of MaxScale's route lookup.
func isNotA(details []string) bool {
	return len(details) == 1 && notAName.MatchString(details[0])
}
