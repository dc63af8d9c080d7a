package main

import (
	"context"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/bolt"
	bzhttp "bingzhan/backend/http"
)

// purgeInterval is how often the ledger's retention purge runs; it also runs at start,
// so a station switched off at night still purges once a day.
const purgeInterval = 24 * time.Hour

// openLedger wires the visitor ledger: the encrypted visits with their in-memory
// search index (built here, from every stored visit), the registry for names, and the
// daily retention purge, which runs until ctx ends.
func (m *Main) openLedger(ctx context.Context) error {
	days := m.Config.LedgerRetentionDays
	if days < backend.MinRetentionDays || days > backend.MaxRetentionDays {
		return backend.Errorf(backend.EINVALID, "ledger.retention", days, backend.MinRetentionDays, backend.MaxRetentionDays)
	}
	cipher, err := m.Keys.Cipher()
	if err != nil {
		return err
	}
	stationID := backend.StationID(m.Keys.Public())
	visits := bolt.NewVisitService(m.DB, stationID, cipher, m.Keys.PersonKey)
	visits.Persons = bolt.NewPersonService(m.DB, stationID, cipher, m.Keys.PersonKey)
	visits.RetentionDays = days
	start := time.Now()
	if err := visits.Init(ctx); err != nil {
		return err
	}
	m.Logger.Debug("ledger index built", "ms", time.Since(start).Milliseconds())
	m.Server.Ledger = &bzhttp.Ledger{Visits: visits, RetentionDays: days}
	m.jobs.Go(func() { visits.RunPurge(ctx, purgeInterval) })
	return nil
}
