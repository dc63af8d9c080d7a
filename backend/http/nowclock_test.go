package http_test

import (
	"time"

	"bingzhan/backend"
)

// nowClock is the machine's clock with its time read from now, so the store can
// follow the harnesses' own settable clocks (until they move to a clockwork fake).
type nowClock struct {
	backend.Clock
	now func() time.Time
}

func (c nowClock) Now() time.Time                  { return c.now() }
func (c nowClock) Since(t time.Time) time.Duration { return c.now().Sub(t) }
func (c nowClock) Until(t time.Time) time.Duration { return t.Sub(c.now()) }
