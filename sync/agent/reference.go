package agent

import (
	"bytes"
	"context"
	"iter"

	"bingzhan/backend"
	"bingzhan/sync/wire"
)

// CatalogReference fetches the county's entitlement catalog. version returns the
// station's current catalog version; replace stores a new one with its version in one
// transaction (bolt.CatalogService.ReplaceCatalog).
func CatalogReference(version func(context.Context) (string, error), replace func(ctx context.Context, version string, data []byte) error) Reference {
	return Reference{
		Name: wire.RefCatalog,
		ETag: etagOf(version),
		Apply: func(ctx context.Context, etag string, body []byte) error {
			return replace(ctx, wire.VersionOf(etag), body)
		},
	}
}

// RegistryReference fetches the county's registry of persons, sent as JSON Lines.
// version returns the station's current registry version; replace makes the persons
// the whole registry (bolt.PersonService.ReplaceRegistry).
func RegistryReference(version func(context.Context) (string, error), replace func(ctx context.Context, version string, persons iter.Seq2[*backend.Person, error]) (int, error)) Reference {
	return Reference{
		Name: wire.RefRegistry,
		ETag: etagOf(version),
		Apply: func(ctx context.Context, etag string, body []byte) error {
			_, err := replace(ctx, wire.VersionOf(etag), backend.DecodePersons(bytes.NewReader(body)))
			return err
		},
	}
}

// BookingsReference fetches the bookings the county made at this station, sent as
// JSON Lines of the station's own rows. version returns the version applied last;
// apply takes a version into the station's bookings in its own transaction
// (bolt.AppointmentService.ApplyCountyBookings).
func BookingsReference(version func(context.Context) (string, error), apply func(ctx context.Context, version string, bookings iter.Seq2[*backend.CountyBooking, error]) (backend.CountyBookingsApplied, error)) Reference {
	return Reference{
		Name: wire.RefBookings,
		ETag: etagOf(version),
		Apply: func(ctx context.Context, etag string, body []byte) error {
			_, err := apply(ctx, wire.VersionOf(etag), backend.DecodeCountyBookings(bytes.NewReader(body)))
			return err
		},
	}
}

func etagOf(version func(context.Context) (string, error)) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		v, err := version(ctx)
		if err != nil || v == "" {
			return "", err
		}
		return wire.ETag(v), nil
	}
}
