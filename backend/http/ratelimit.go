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
	// LimitTickets: a request every two seconds — a person every four, each
	// tapping twice — and ten at once (a family, the morning's first rush).
	LimitTickets = Limit{Every: 2 * time.Second, Burst: 10}
	// LimitLookups: a personal lookup every six seconds, six at once (a person who
	// mistypes a digit twice, then the next person).
	LimitLookups = Limit{Every: 6 * time.Second, Burst: 6}
	// LimitVisits: a visit registration every ten seconds, five at once.
	LimitVisits = Limit{Every: 10 * time.Second, Burst: 5}
	// LimitLogins: a PIN every twelve seconds, five at once; the account's own lock
	// after five wrong PINs stays the real guard.
	LimitLogins = Limit{Every: 12 * time.Second, Burst: 5}
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

// wait returns how long until client has a token again, without taking one: 0 when
// it has one now.
func (l *limiter) wait(client string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[client]
	if !ok {
		return 0
	}
	now := l.now()
	if t := b.TokensAt(now); t < 1 {
		return time.Duration((1 - t) * float64(l.limit.Every))
	}
	return 0
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
	l := s.limiter(lim)
	return func(w http.ResponseWriter, r *http.Request) {
		client := clientKey(r)
		if client == kioskClient {
			h(w, r) // the station's own kiosk: a queue at it is people, not a flood
			return
		}
		ok, wait := l.allow(client)
		if !ok {
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			s.Error(w, r, backend.Errorf(backend.EUNAVAILABLE, "rate.too_fast", secs))
			return
		}
		h(w, r)
	}
}

// kioskClient is the clientKey of the station's own kiosk: its window, or a browser
// on the kiosk PC itself.
const kioskClient = "kiosk"

// clientKey names the client that limits and lookup failures count for: the
// station's own kiosk, an enrolled device, or else the network address (without the
// port, which changes with every connection).
func clientKey(r *http.Request) string {
	if atKiosk(r) {
		return kioskClient
	}
	if d := deviceOf(r); d != nil {
		return "device:" + d.ID
	}
	return "addr:" + clientAddr(r)
}

// limiter returns the server's limiter for lim, the same for every handler built
// (the kiosk window's and the LAN listener's count together).
func (s *Server) limiter(lim Limit) *limiter {
	s.limitersMu.Lock()
	defer s.limitersMu.Unlock()
	if s.limiters == nil {
		s.limiters = map[Limit]*limiter{}
	}
	l, ok := s.limiters[lim]
	if !ok {
		l = newLimiter(lim, s.now)
		s.limiters[lim] = l
	}
	return l
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
