package county

import (
	"context"
	"strings"

	"bingzhan/backend"
	"bingzhan/sync/wire"
)

// NewEnrolment creates a station called name in s and returns its enrolment file's
// content, pointing at url with certificate pin pin (dropped for a URL that is not
// https). clock stamps the file (nil: the machine's). Returns EINVALID for a url the
// station could not use, and AddStation's errors; ctx is AddStation's.
func NewEnrolment(ctx context.Context, s Store, clock backend.Clock, name, url, pin string) (*wire.Enrolment, error) {
	return enrolment(clock, url, pin, func() (*Station, string, error) { return s.AddStation(ctx, name) })
}

// NewSecretEnrolment gives an existing station (id or name) a new secret and returns
// its new enrolment file, for a file that leaked or a station PC replaced: the old
// file stops working at once, and `bingzhan enrol` with the new one carries on with
// the same station, its numbering and its history. Returns EINVALID for a url the
// station could not use, and NewSecret's errors; ctx is NewSecret's.
func NewSecretEnrolment(ctx context.Context, s Store, clock backend.Clock, idOrName, url, pin string) (*wire.Enrolment, error) {
	return enrolment(clock, url, pin, func() (*Station, string, error) { return s.NewSecret(ctx, idOrName) })
}

// enrolment checks url and pin, then lets give make or change the station and builds
// its file; a typo in url leaves the station as it was.
func enrolment(clock backend.Clock, url, pin string, give func() (*Station, string, error)) (*wire.Enrolment, error) {
	if !strings.HasPrefix(url, "https://") {
		pin = ""
	}
	e := &wire.Enrolment{
		Format: wire.EnrolmentFormat, CountyURL: strings.TrimSuffix(url, "/"), StationID: "st-check",
		Secret: strings.Repeat("x", 43), CertPin: pin,
	}
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
