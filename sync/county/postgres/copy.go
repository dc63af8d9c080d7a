package postgres

import (
	"context"

	"bingzhan/sync/county"
)

// PutDiscards keeps discard markers of station that another store kept apart
// (because the sequence they name holds another entry), once by their id: running it
// again adds none. It returns how many it added. The station's counts by kind come
// with PutStation.
func (s *Store) PutDiscards(ctx context.Context, station string, markers []county.StoredEntry) (added int, err error) {
	if len(markers) == 0 {
		return 0, nil
	}
	rows := newEntryRows(len(markers))
	for i := range markers {
		rows.add(i, &markers[i].Entry, markers[i].ReceivedAt.UTC(), s.location)
	}
	tag, err := s.pool.Exec(ctx, `INSERT INTO discards (station_id, id, seq, key_id, kind, at, data, received_at)
		SELECT $1, d.id, d.seq, d.key_id, d.kind, d.at, d.data, d.received_at
		FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::bytea[], $8::timestamptz[])
			AS d(id, seq, key_id, kind, at, data, received_at)
		ON CONFLICT DO NOTHING`,
		station, rows.id, rows.seq, rows.keyID, rows.kind, rows.at, rows.data, rows.receivedAt)
	if err != nil {
		return 0, ctxErr(ctx, err)
	}
	return int(tag.RowsAffected()), nil
}

// PutDays sets station's figures for each date to those another store kept, over
// what PutEntries counted: they are the same for what entries say, and they carry
// what no entry does (the dead letters each day's last push reported).
func (s *Store) PutDays(ctx context.Context, station string, days map[string]county.DayStats) error {
	if len(days) == 0 {
		return nil
	}
	dates, stats := make([]string, 0, len(days)), make([][]byte, 0, len(days))
	for date, d := range days {
		dates, stats = append(dates, date), append(stats, county.EncodeDay(&d))
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO daily (station_id, date, stats) SELECT $1, d.date, d.stats
		FROM unnest($2::text[], $3::bytea[]) AS d(date, stats)
		ON CONFLICT (station_id, date) DO UPDATE SET stats = excluded.stats`, station, dates, stats)
	return ctxErr(ctx, err)
}
