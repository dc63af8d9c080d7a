package backend

import "github.com/jonboulle/clockwork"

// Clock is the one clock of a station or county process: every service, run loop and
// timer reads the time and waits through it. The composition root sets it once; tests
// pass a clockwork fake and move time with Advance instead of shortening intervals.
type Clock = clockwork.Clock

// SystemClock returns the clock of the machine.
func SystemClock() Clock { return clockwork.NewRealClock() }

// ClockOrSystem returns c, or the machine's clock when c is nil, so a zero-value
// Options or Config still runs on real time.
func ClockOrSystem(c Clock) Clock {
	if c == nil {
		return SystemClock()
	}
	return c
}
