// Package agent is the station's side of the county link: one goroutine that pushes
// the outbox to the county, one push at a time, and fetches the county's reference data.
// It never blocks the station: every user action has committed before the agent sees
// it, and a county that is away for days only makes the backlog grow.
package agent

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"bingzhan/backend"
	"bingzhan/sync/wire"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// Store is the station database as the agent uses it; *bolt.DB implements it.
type Store interface {
	// OutboxBatch copies the oldest entries with a sequence above after out of one
	// short read transaction.
	OutboxBatch(ctx context.Context, after uint64, maxEntries, maxBytes int) ([]backend.PendingEntry, error)
	// OutboxStats returns the backlog.
	OutboxStats(ctx context.Context) (backend.OutboxStats, error)
	// ApplyPush deletes delivered entries, keeps refused ones as dead letters and
	// records the success, in one transaction.
	ApplyPush(ctx context.Context, out backend.PushOutcome) error
	// RecordSyncError records a failed cycle.
	RecordSyncError(ctx context.Context, at time.Time, e *backend.Error) error
}

// Reference is one data set the station takes from the county.
type Reference struct {
	Name string // wire.RefCatalog, wire.RefRegistry or wire.RefBookings
	// ETag returns the version applied now, "" for none.
	ETag func(ctx context.Context) (string, error)
	// Apply replaces the station's copy with body (a wire.Dataset) and records etag,
	// both in one transaction.
	Apply func(ctx context.Context, etag string, body []byte) error
}

// Config configures an Agent. Zero durations take the defaults in New.
type Config struct {
	Enrolment backend.Enrolment
	// LastCounty is the county address that answered last (backend.SyncState.County):
	// the agent starts there when it is one of the enrolment's, so a restart does not
	// send it back to an address that had stopped answering.
	LastCounty string
	StationID  string // the station's own id, from its signing key
	Version    string
	Store      Store
	References []Reference
	Logger     *slog.Logger
	// Clock times the cycles and stamps sync results; nil is the machine's clock.
	Clock backend.Clock

	// Interval is the time between cycles while all is well (jittered ±25 %).
	Interval time.Duration
	// MinBackoff and MaxBackoff bound the wait between failed cycles, doubling from one
	// to the other and reset by a success.
	MinBackoff, MaxBackoff time.Duration
	// NudgeDelay gathers the actions of a busy moment into one push.
	NudgeDelay time.Duration
	// AttemptTimeout bounds one HTTP attempt of a push; RefTimeout one download of a
	// data set, which may be large on a slow line.
	AttemptTimeout, RefTimeout time.Duration
	// RetryMax retries of one request to the address in use, waiting a full-jitter
	// backoff between RetryWaitMin·2ⁿ and RetryWaitMax; a server's Retry-After is
	// honoured up to RetryWaitMax. The enrolment's other addresses get one attempt each
	// when it fails (see do).
	RetryMax                   int
	RetryWaitMin, RetryWaitMax time.Duration
}

// Agent pushes the outbox and pulls reference data. Start it with Run.
type Agent struct {
	cfg  Config
	urls []string     // the county's addresses, in the enrolment's order
	cur  atomic.Int32 // index in urls of the address in use
	// push and refs send to the address in use, with retries; pushOnce and refsOnce
	// try each other address once when it fails.
	push, pushOnce *retryablehttp.Client
	refs, refsOnce *retryablehttp.Client
	nudge          chan struct{}
	log            *slog.Logger
	failed         bool
}

// New returns an agent for cfg.
func New(cfg Config) (*Agent, error) {
	e := wire.Enrolment{Format: wire.EnrolmentFormat, StationID: cfg.Enrolment.StationID,
		Secret: cfg.Enrolment.Secret, CertPin: cfg.Enrolment.CertPin}
	e.SetURLs(cfg.Enrolment.Counties())
	if err := e.Validate(); err != nil {
		return nil, backend.Errorf(backend.EINVALID, "sync.enrol_file", err.Error())
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.Interval, time.Minute)
	def(&cfg.MinBackoff, 5*time.Second)
	def(&cfg.MaxBackoff, 15*time.Minute)
	def(&cfg.NudgeDelay, 200*time.Millisecond)
	def(&cfg.AttemptTimeout, 30*time.Second)
	def(&cfg.RefTimeout, 10*time.Minute)
	def(&cfg.RetryWaitMin, 500*time.Millisecond)
	def(&cfg.RetryWaitMax, 30*time.Second)
	if cfg.RetryMax == 0 {
		cfg.RetryMax = 4
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.Clock = backend.ClockOrSystem(cfg.Clock)
	// One transport for every address: the pin check does not depend on the host, and
	// without a pin each connection verifies its own host name.
	tr := cleanhttp.DefaultPooledTransport()
	tr.TLSClientConfig = e.TLSConfig()
	tr.MaxIdleConnsPerHost = 2
	a := &Agent{cfg: cfg, urls: e.URLs(), nudge: make(chan struct{}, 1),
		log: cfg.Logger.With("component", "sync")}
	if i := slices.Index(a.urls, strings.TrimSuffix(cfg.LastCounty, "/")); i > 0 {
		a.cur.Store(int32(i))
	}
	a.push = a.client(tr, cfg.AttemptTimeout, cfg.RetryMax)
	a.pushOnce = a.client(tr, cfg.AttemptTimeout, 0)
	a.refs = a.client(tr, cfg.RefTimeout, cfg.RetryMax)
	a.refsOnce = a.client(tr, cfg.RefTimeout, 0)
	return a, nil
}

// County returns the county address the agent uses now: the one that answered last,
// or where it starts.
func (a *Agent) County() string { return a.urls[a.cur.Load()] }

// client returns a go-retryablehttp client set up for an idempotent county: its
// defaults (blind retries, no per-attempt timeout, no jitter, an uncapped Retry-After,
// a noisy logger, the error body lost) are each replaced.
func (a *Agent) client(tr *http.Transport, timeout time.Duration, retries int) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:   &http.Client{Transport: tr, Timeout: timeout},
		Logger:       slogAdapter{a.log},
		RetryWaitMin: a.cfg.RetryWaitMin,
		RetryWaitMax: a.cfg.RetryWaitMax,
		RetryMax:     retries,
		CheckRetry:   checkRetry,
		Backoff:      backoff,
		ErrorHandler: keepErrorBody,
	}
}

// checkRetry retries what a second attempt can fix. Pushes are safe to resend because
// the county stores each entry under a permanent key; a certificate that does not match
// the pin is never retried, nor is a refusal of the request itself (4xx but 429).
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		if certError(err) {
			return false, err
		}
		return true, nil // reset, refused, timed out, answer lost: send again
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true, nil
	}
	return false, nil
}

func certError(err error) bool {
	var verr *tls.CertificateVerificationError
	return errors.Is(err, wire.ErrPinMismatch) || errors.As(err, &verr)
}

// backoff waits a random time up to min·2ⁿ, capped at max ("full jitter", so stations
// that lost the county together do not come back together). A Retry-After from the
// county is honoured but never beyond max: a proxy's "come back in a day" must not
// stall a station that long.
func backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if ra, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			return min(ra, hi)
		}
	}
	ceil := hi
	if attempt < 30 {
		ceil = min(lo<<attempt, hi)
	}
	return rand.N(ceil + 1)
}

// retryAfter parses a Retry-After in seconds or as an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	var s int64
	if _, err := fmt.Sscan(v, &s); err == nil && s >= 0 {
		if s > 1<<30 {
			s = 1 << 30
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// do sends the request that build makes for a county base URL: to the address in use
// with client's retries and, when that fails, to each other address of the enrolment
// in turn, once, with once. The first address that answers becomes the one in use and
// stays so (the servers share one database, so any one of them will do) until it fails
// in turn. An answer is anything but what fails over (see failOver): a refusal is the
// county's word, which every one of its servers would repeat. A round that fails at
// every address is one failed cycle for Run's backoff, as a single address's failure
// always was; the other addresses' single attempts keep it from taking much longer to
// say so, or from sending any server more requests than before.
func (a *Agent) do(ctx context.Context, client, once *retryablehttp.Client, build func(base string) (*retryablehttp.Request, error)) (*http.Response, string, error) {
	start := int(a.cur.Load())
	var round roundError
	for i := range a.urls {
		idx := (start + i) % len(a.urls)
		req, err := build(a.urls[idx])
		if err != nil {
			return nil, "", err
		}
		c := client
		if i > 0 {
			c = once
		}
		resp, err := c.Do(req)
		if err == nil {
			a.use(start, idx)
			return resp, a.urls[idx], nil
		}
		if len(a.urls) == 1 || !failOver(ctx, err) {
			return nil, a.urls[idx], err
		}
		round = append(round, addressError{URL: a.urls[idx], Err: err})
		if i+1 < len(a.urls) {
			a.log.Debug("county address failed; trying the next", "county", a.urls[idx], "next", a.urls[(idx+1)%len(a.urls)], "err", err)
		}
	}
	return nil, a.urls[start], round
}

// use makes urls[idx] the address in use, where the round began at urls[from].
func (a *Agent) use(from, idx int) {
	if from == idx || !a.cur.CompareAndSwap(int32(from), int32(idx)) {
		return
	}
	a.log.Warn("county address changed: the one in use failed", "from", a.urls[from], "to", a.urls[idx])
}

// failOver reports whether a request that failed after its retries may go to another
// of the county's addresses: the address could not be reached (refused, reset, timed
// out), its server failed (5xx), or it showed another certificate than the pin (it is
// not our county, and nothing was sent to it). Not when the station gives up (ctx), or
// when the county answered: a 4xx is its verdict on the request, and 429 asks the
// station to slow down, which asking the next server at once would not do.
func failOver(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var ce *CountyError
	if errors.As(err, &ce) {
		return ce.Status >= 500
	}
	return true
}

// addressError is a request's failure at one county address.
type addressError struct {
	URL string
	Err error
}

func (e addressError) Error() string { return e.URL + ": " + e.Err.Error() }
func (e addressError) Unwrap() error { return e.Err }

// roundError is a request that failed at every county address, one error per address
// in the order tried. Describe finds the telling one among them (errors.As looks
// through all).
type roundError []addressError

func (r roundError) Error() string {
	parts := make([]string, len(r))
	for i, e := range r {
		parts[i] = e.Error()
	}
	return "every county address failed: " + strings.Join(parts, "; ")
}

func (r roundError) Unwrap() []error {
	out := make([]error, len(r))
	for i, e := range r {
		out[i] = e
	}
	return out
}

// CountyError is an answer of the county that is not a success, with the county's own
// code and message.
type CountyError struct {
	Status  int
	Code    string
	Message string
	Tries   int
}

func (e *CountyError) Error() string {
	return fmt.Sprintf("county answered %d %s: %s (after %d tries)", e.Status, e.Code, e.Message, e.Tries)
}

// keepErrorBody turns the last failed attempt into an error that keeps what the county
// said, where go-retryablehttp would drop the body.
func keepErrorBody(resp *http.Response, err error, tries int) (*http.Response, error) {
	if resp != nil {
		ce := readCountyError(resp)
		ce.Tries = tries
		return nil, ce
	}
	return nil, fmt.Errorf("after %d tries: %w", tries, err)
}

func readCountyError(resp *http.Response) *CountyError {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	ce := &CountyError{Status: resp.StatusCode, Tries: 1}
	var eb wire.ErrorBody
	if json.Unmarshal(body, &eb) == nil && eb.Code != "" {
		ce.Code, ce.Message = eb.Code, eb.Message
	} else {
		ce.Code, ce.Message = http.StatusText(resp.StatusCode), string(body)
	}
	return ce
}

// slogAdapter passes go-retryablehttp's messages to slog at debug level: a failed
// attempt is routine on a rural line, and the agent itself says once when the link
// fails and once when it is back.
type slogAdapter struct{ l *slog.Logger }

func (s slogAdapter) Error(msg string, kv ...any) { s.l.Debug(msg, kv...) }
func (s slogAdapter) Warn(msg string, kv ...any)  { s.l.Debug(msg, kv...) }
func (s slogAdapter) Info(msg string, kv ...any)  { s.l.Debug(msg, kv...) }
func (s slogAdapter) Debug(msg string, kv ...any) { s.l.Debug(msg, kv...) }

// Nudge tells the agent that the outbox has new entries. It never blocks.
func (a *Agent) Nudge() {
	select {
	case a.nudge <- struct{}{}:
	default:
	}
}

// Run syncs until ctx ends: at once, then on nudges and a jittered timer while the
// county answers, and after a growing backoff (reset by a success) while it does not.
func (a *Agent) Run(ctx context.Context) {
	failures := 0
	for {
		select { // a nudge that came before this cycle is served by it
		case <-a.nudge:
		default:
		}
		if err := a.Sync(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
		} else {
			failures = 0
		}
		var wait time.Duration
		if failures > 0 {
			d := a.cfg.MaxBackoff
			if failures < 30 {
				d = min(a.cfg.MinBackoff<<(failures-1), a.cfg.MaxBackoff)
			}
			wait = d/2 + rand.N(d/2+1)
		} else {
			wait = a.cfg.Interval*3/4 + rand.N(a.cfg.Interval/2+1)
		}
		t := a.cfg.Clock.NewTimer(wait)
		nudge := a.nudge
		if failures > 0 {
			nudge = nil // a county that failed is left alone until the backoff ends
		}
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.Chan():
		case <-nudge:
			t.Stop()
			select { // gather a burst of actions into one push
			case <-ctx.Done():
				return
			case <-a.cfg.Clock.After(a.cfg.NudgeDelay):
			}
		}
	}
}

// Sync runs one cycle: push until the outbox is empty, then fetch reference data. A
// failure is recorded for the staff panel and returned.
func (a *Agent) Sync(ctx context.Context) error {
	err := a.pushAll(ctx)
	if err == nil {
		err = a.pullAll(ctx)
	}
	if err != nil && ctx.Err() == nil {
		be := Describe(err)
		if rerr := a.cfg.Store.RecordSyncError(context.WithoutCancel(ctx), a.cfg.Clock.Now(), be); rerr != nil {
			a.log.Error("record sync error", "err", rerr)
		}
		if !a.failed {
			a.log.Warn("county sync failing; records stay safe in the outbox", "err", err)
		}
		a.failed = true
	} else if err == nil && a.failed {
		a.failed = false
		a.log.Info("county sync back")
	}
	return err
}

// pushAll pushes batches until the outbox is empty. While one batch is out, the
// station deletes the previous one: the local commit overlaps the round trip, and
// there is still only one push in flight. Entries answered but not yet deleted when
// the station stops are sent again and come back "duplicate".
func (a *Agent) pushAll(ctx context.Context) (err error) {
	var applying chan error // the previous batch's ApplyPush
	wait := func() error {
		if applying == nil {
			return nil
		}
		err := <-applying
		applying = nil
		return err
	}
	defer func() {
		if werr := wait(); err == nil {
			err = werr
		}
	}()
	after := uint64(0)
	for {
		batch, err := a.cfg.Store.OutboxBatch(ctx, after, wire.MaxEntries, wire.MaxBatchBytes)
		if err != nil || len(batch) == 0 {
			return err
		}
		out, err := a.send(ctx, batch)
		if err != nil {
			return err
		}
		if err := wait(); err != nil {
			return err
		}
		if len(out.Misplaced) > 0 {
			// Renumbering moves entries to new sequences: it must commit before the next
			// batch is read, and that batch starts again from the oldest entry.
			if err := a.apply(ctx, out); err != nil {
				return err
			}
			after = 0
			continue
		}
		applying = make(chan error, 1)
		go func() { applying <- a.apply(ctx, out) }()
		after = batch[len(batch)-1].Seq
	}
}

// apply records an answered push in the station's database.
func (a *Agent) apply(ctx context.Context, out backend.PushOutcome) error {
	return a.cfg.Store.ApplyPush(context.WithoutCancel(ctx), out)
}

// errNoProgress guards against a county that answers without taking anything.
var errNoProgress = errors.New("the county answered without taking or refusing any entry")

// errBadAnswer marks a push answer the station cannot read.
var errBadAnswer = errors.New("unreadable answer")

// PushOnce sends the oldest batch and applies the answer. It returns how many entries
// were in the batch (0 when the outbox is empty).
func (a *Agent) PushOnce(ctx context.Context) (int, error) {
	batch, err := a.cfg.Store.OutboxBatch(ctx, 0, wire.MaxEntries, wire.MaxBatchBytes)
	if err != nil || len(batch) == 0 {
		return 0, err
	}
	out, err := a.send(ctx, batch)
	if err != nil {
		return 0, err
	}
	return len(batch), a.apply(ctx, out)
}

// send pushes one batch and returns what the county did with each entry.
func (a *Agent) send(ctx context.Context, batch []backend.PendingEntry) (backend.PushOutcome, error) {
	var out backend.PushOutcome
	stats, err := a.cfg.Store.OutboxStats(ctx)
	if err != nil {
		return out, err
	}
	raws := make([]json.RawMessage, len(batch))
	for i, p := range batch {
		raws[i] = p.JSON
	}
	body, err := wire.EncodePush(wire.PushHeader{Station: a.cfg.StationID, Version: a.cfg.Version,
		Pending: stats.Pending, OldestPending: stats.OldestPending, DeadLetters: stats.DeadLetters}, raws)
	if err != nil {
		return out, err
	}
	resp, county, err := a.do(ctx, a.push, a.pushOnce, func(base string) (*retryablehttp.Request, error) {
		// A []byte body lets go-retryablehttp rewind it for each attempt.
		req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, base+wire.PushPath, body)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.SetBasicAuth(a.cfg.Enrolment.StationID, a.cfg.Enrolment.Secret)
		return req, nil
	})
	if err != nil {
		return out, err
	}
	if resp.StatusCode != http.StatusOK {
		return out, readCountyError(resp)
	}
	var pr wire.PushResponse
	err = json.NewDecoder(io.LimitReader(resp.Body, 8<<20)).Decode(&pr)
	resp.Body.Close()
	if err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		if errors.As(err, &syn) || errors.As(err, &typ) {
			err = fmt.Errorf("%w: %w", errBadAnswer, err)
		}
		return out, fmt.Errorf("read the county's answer: %w", err)
	}
	out = backend.PushOutcome{Contiguous: pr.Contiguous, Highest: pr.Highest, At: a.cfg.Clock.Now(), County: county}
	sent := make(map[uint64]json.RawMessage, len(batch))
	for _, p := range batch {
		sent[p.Seq] = p.JSON
	}
	for _, r := range pr.Results {
		raw, ok := sent[r.Seq]
		if !ok {
			continue // not ours to act on
		}
		delete(sent, r.Seq) // a second answer for one entry is not acted on
		switch r.Status {
		case wire.Accepted, wire.Duplicate:
			out.Done = append(out.Done, r.Seq)
		case wire.Rejected:
			// A county that says the sequence alone is in the way, and how far its own
			// sequences go, lets the station move the entry there (protocol 2). Without
			// that, the entry waits for staff as a dead letter (protocol 1).
			if r.Renumber && pr.Highest >= r.Seq {
				var id struct {
					ID string `json:"id"`
				}
				if err := json.Unmarshal(raw, &id); err != nil {
					return out, fmt.Errorf("decode outbox entry %d: %w", r.Seq, err)
				}
				out.Misplaced = append(out.Misplaced, backend.Misplaced{Seq: r.Seq, ID: id.ID})
				continue
			}
			out.Rejected = append(out.Rejected, backend.Rejection{Seq: r.Seq, Code: r.Code, Message: r.Message})
		}
	}
	if len(out.Done)+len(out.Rejected)+len(out.Misplaced) == 0 {
		return out, errNoProgress
	}
	return out, nil
}

// maxRefBytes bounds a data set download.
const maxRefBytes = 256 << 20

// pullAll fetches each reference data set that changed.
func (a *Agent) pullAll(ctx context.Context) error {
	for _, ref := range a.cfg.References {
		if err := a.pull(ctx, ref); err != nil {
			return err
		}
	}
	return nil
}

func (a *Agent) pull(ctx context.Context, ref Reference) error {
	etag, err := ref.ETag(ctx)
	if err != nil {
		return err
	}
	resp, _, err := a.do(ctx, a.refs, a.refsOnce, func(base string) (*retryablehttp.Request, error) {
		req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, base+wire.RefPath+ref.Name, nil)
		if err != nil {
			return nil, err
		}
		req.SetBasicAuth(a.cfg.Enrolment.StationID, a.cfg.Enrolment.Secret)
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		return req, nil
	})
	if err != nil {
		return err
	}
	switch resp.StatusCode {
	case http.StatusNotModified:
		resp.Body.Close()
		return nil
	case http.StatusNotFound:
		resp.Body.Close()
		return nil // the county has not published this data set yet
	case http.StatusOK:
	default:
		return readCountyError(resp)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRefBytes))
	if err != nil {
		return fmt.Errorf("download %s: %w", ref.Name, err)
	}
	newTag := resp.Header.Get("ETag")
	if newTag == "" || newTag == etag {
		return nil
	}
	if err := ref.Apply(context.WithoutCancel(ctx), newTag, body); err != nil {
		return &applyError{name: ref.Name, err: err}
	}
	a.log.Info("reference data applied", "name", ref.Name, "version", newTag)
	return nil
}

type applyError struct {
	name string
	err  error
}

func (e *applyError) Error() string { return "apply " + e.name + ": " + e.err.Error() }
func (e *applyError) Unwrap() error { return e.err }

// Describe puts a sync failure into words staff can act on.
func Describe(err error) *backend.Error {
	var ce *CountyError
	var ae *applyError
	var nerr net.Error
	switch {
	case errors.As(err, &ae):
		return backend.Errorf(backend.EINTERNAL, "sync.reference_apply", ae.name, backend.ErrorMessage(ae.err, "en"))
	case certError(err):
		return backend.Errorf(backend.EFORBIDDEN, "sync.cert")
	case errors.As(err, &ce) && (ce.Status == http.StatusUnauthorized || ce.Status == http.StatusForbidden):
		return backend.Errorf(backend.EUNAUTHORIZED, "sync.unauthorized")
	case errors.As(err, &ce) && (ce.Status == http.StatusTooManyRequests || ce.Status == http.StatusServiceUnavailable):
		return backend.Errorf(backend.EUNAVAILABLE, "sync.busy")
	case errors.As(err, &ce) && ce.Status == http.StatusConflict:
		return backend.Errorf(backend.ECONFLICT, "sync.enrolment_taken")
	case errors.As(err, &ce) && ce.Status >= 400 && ce.Status < 500:
		return backend.Errorf(backend.EUNAVAILABLE, "sync.county_refused", fmt.Sprintf("HTTP %d", ce.Status))
	case errors.As(err, &ce):
		// The county's own words (English, for operators) go to the log, not to staff.
		return backend.Errorf(backend.EUNAVAILABLE, "sync.county_error", fmt.Sprintf("HTTP %d", ce.Status))
	case errors.Is(err, errNoProgress) || errors.Is(err, errBadAnswer):
		return backend.Errorf(backend.EUNAVAILABLE, "sync.bad_answer")
	case errors.As(err, &nerr) && nerr.Timeout():
		return backend.Errorf(backend.EUNAVAILABLE, "sync.timeout")
	default:
		var oe *net.OpError
		reason := "network error"
		if errors.As(err, &oe) && oe.Err != nil {
			reason = oe.Err.Error()
		}
		return backend.Errorf(backend.EUNAVAILABLE, "sync.unreachable", reason)
	}
}
