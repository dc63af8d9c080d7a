package http

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"bingzhan/backend"

	"golang.org/x/time/rate"
)

// A Limit is how fast one client may repeat one kind of request: Burst at once, then
// one every Every. The limits are set for a busy real kiosk — a person every few
// seconds, and a double tap is never refused — and refuse a flood from one LAN
// client within a second or two.
type Limit struct {
	Every time.Duration
	Burst int
}

// The limits of each limited action, per client (device or address).
var (
	// LimitTickets: a person every four seconds, ten at once (a family, a double
	// tap, the morning's first rush at a kiosk).
	LimitTickets = Limit{Every: 4 * time.Second, Burst: 10}
	// LimitLookups: a personal lookup every six seconds, six at once (a person who
	// mistypes a digit twice, then the next person).
	LimitLookups = Limit{Every: 6 * time.Second, Burst: 6}
	// LimitVisits: a visit registration every ten seconds, five at once.
	LimitVisits = Limit{Every: 10 * time.Second, Burst: 5}
	// LimitLogins: a PIN every twelve seconds, five at once; the account's own lock
	// after five wrong PINs stays the real guard.
	LimitLogins = Limit{Every: 12 * time.Second, Burst: 5}
	// LimitKioskExit: an admin PIN to leave the kiosk every 30 seconds, three at once.
	LimitKioskExit = Limit{Every: 30 * time.Second, Burst: 3}
)

// limiter keeps a token bucket (golang.org/x/time/rate) per client for one Limit.
// Buckets full again are forgotten, so a LAN of many clients costs nothing for long.
type limiter struct {
	limit Limit
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	swept   time.Time
}

func newLimiter(l Limit, now func() time.Time) *limiter {
	return &limiter{limit: l, now: now, buckets: map[string]*rate.Limiter{}}
}

// allow takes a token for client and reports whether there was one; when not, how
// long until there is.
func (l *limiter) allow(client string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.swept) > time.Minute {
		l.sweep(now)
	}
	b, ok := l.buckets[client]
	if !ok {
		b = rate.NewLimiter(rate.Every(l.limit.Every), l.limit.Burst)
		l.buckets[client] = b
	}
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now) // a refused request uses up nothing
		return false, d
	}
	return true, 0
}

// sweep forgets the buckets that have filled up again: they would allow a burst
// anyway, as a new one does.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.limit.Burst) {
			delete(l.buckets, k)
		}
	}
	l.swept = now
}

// limited wraps h so that each client (clientKey) may call it only as fast as lim
// allows; a faster one gets 429 with Retry-After and a message saying when to try
// again, and h never sees the request.
func (s *Server) limited(lim Limit, h http.HandlerFunc) http.HandlerFunc {
	l := newLimiter(lim, s.now)
	return func(w http.ResponseWriter, r *http.Request) {
		ok, wait := l.allow(clientKey(r))
		if !ok {
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			s.Error(w, r, backend.Errorf(backend.EUNAVAILABLE, "rate.too_fast", secs))
			return
		}
		h(w, r)
	}
}

// clientKey names the client a limit counts for: the kiosk window, an enrolled
// device, or else the network address (without the port, which changes with every
// connection).
func clientKey(r *http.Request) string {
	if v, _ := r.Context().Value(windowKey{}).(bool); v {
		return "window"
	}
	return "addr:" + clientAddr(r)
}

// clientAddr returns the IP address a request came from, or "" for one without
// (the kiosk window's).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
