package backend

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxCounter is the highest counter number; announcements read numbers up to 99.
const MaxCounter = 99

// Counter is a staff position (窗口) that serves some services. Ticket is the id of the
// ticket called to or served at the counter now, if any: a counter holds one at a time,
// so a person is never called to a counter that is still busy with someone else.
type Counter struct {
	Number   int      `json:"number"`
	Name     string   `json:"name"`
	Services []string `json:"services"`
	Ticket   string   `json:"ticket,omitempty"`
}

// Serves reports whether the counter calls tickets of the service letter.
func (c *Counter) Serves(letter string) bool { return slices.Contains(c.Services, letter) }

// DefaultCounterName is the name a counter gets when none is given: "2号窗口".
func DefaultCounterName(n int) string { return fmt.Sprintf("%d号窗口", n) }

// Normalize checks a counter's settings against the station's services and tidies
// them: a blank name becomes DefaultCounterName, services are sorted and deduplicated.
// EINVALID for a number outside 1–99, a name over 20 characters, no services, or a
// letter that is not a service.
func (c *Counter) Normalize(services []Service) error {
	if c.Number < 1 || c.Number > MaxCounter {
		return Errorf(EINVALID, "counter.number", MaxCounter)
	}
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" {
		c.Name = DefaultCounterName(c.Number)
	}
	if utf8.RuneCountInString(c.Name) > 20 {
		return Errorf(EINVALID, "counter.name")
	}
	if len(c.Services) == 0 {
		return Errorf(EINVALID, "counter.services")
	}
	known := map[string]bool{}
	for _, s := range services {
		known[s.Letter] = true
	}
	for _, l := range c.Services {
		if !known[l] {
			// A counter's settings are the console's, which answers every mistake
			// in them as a plain invalid request, not as refused content.
			return Errorf(EINVALID, "service.unknown", l).WithKind("")
		}
	}
	slices.Sort(c.Services)
	c.Services = slices.Compact(c.Services)
	return nil
}

// DefaultCounters returns the counters a fresh station starts with: two, each serving
// every service, so the first day works before anyone configures anything.
func DefaultCounters(services []Service) []Counter {
	var letters []string
	for _, s := range services {
		letters = append(letters, s.Letter)
	}
	slices.Sort(letters)
	out := make([]Counter, 2)
	for i := range out {
		out[i] = Counter{Number: i + 1, Name: DefaultCounterName(i + 1), Services: slices.Clone(letters)}
	}
	return out
}

// CounterService reads and configures counters.
type CounterService interface {
	// Counters returns every counter by number.
	Counters(ctx context.Context) ([]Counter, error)
	// PutCounter creates or changes counter c.Number (its Ticket is kept).
	// EINVALID for bad settings.
	PutCounter(ctx context.Context, c Counter) (*Counter, error)
	// DeleteCounter removes a counter. ENOTFOUND if there is none, ECONFLICT while it
	// has a ticket or is the last one.
	DeleteCounter(ctx context.Context, n int) error
}
