package county

import (
	"context"
	"slices"
	"strings"

	"bingzhan/backend"
	"bingzhan/sync/wire"
)

// NewEnrolment creates a station called name in s and returns its enrolment file's
// content, pointing at urls (the county's servers, in the order the station tries
// them) with certificate pin pin (dropped when no URL is https). clock stamps the file
// (nil: the machine's). Returns EINVALID for urls the station could not use (none, a
// malformed one, one twice, a plain one beside a pin), and AddStation's errors; ctx is
// AddStation's.
func NewEnrolment(ctx context.Context, s Store, clock backend.Clock, name string, urls []string, pin string) (*wire.Enrolment, error) {
	return enrolment(clock, urls, pin, func() (*Station, string, error) { return s.AddStation(ctx, name) })
}

// NewSecretEnrolment gives an existing station (id or name) a new secret and returns
// its new enrolment file, for a file that leaked or a station PC replaced: the old
// file stops working at once, and `bingzhan enrol` with the new one carries on with
// the same station, its numbering and its history. Returns EINVALID for a url the
// station could not use, as NewEnrolment, and NewSecret's errors; ctx is NewSecret's.
func NewSecretEnrolment(ctx context.Context, s Store, clock backend.Clock, idOrName string, urls []string, pin string) (*wire.Enrolment, error) {
	return enrolment(clock, urls, pin, func() (*Station, string, error) { return s.NewSecret(ctx, idOrName) })
}

// enrolment checks urls and pin, then lets give make or change the station and builds
// its file; a typo in urls leaves the station as it was.
func enrolment(clock backend.Clock, urls []string, pin string, give func() (*Station, string, error)) (*wire.Enrolment, error) {
	if !slices.ContainsFunc(urls, func(u string) bool { return strings.HasPrefix(u, "https://") }) {
		pin = "" // an operator certificate behind a TLS proxy, or a trusted LAN: nothing to pin
	}
	e := &wire.Enrolment{Format: wire.EnrolmentFormat, StationID: "st-check", Secret: strings.Repeat("x", 43), CertPin: pin}
	e.SetURLs(urls)
	if err := e.Validate(); err != nil {
		return nil, Errorf(backend.EINVALID, "county.enrolment", err)
	}
	st, secret, err := give()
	if err != nil {
		return nil, err
	}
	e.StationID, e.StationName, e.Secret, e.IssuedAt = st.ID, st.Name, secret, backend.ClockOrSystem(clock).Now().UTC()
	return e, nil
}
