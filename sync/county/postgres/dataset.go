package postgres

import (
	"context"
	"fmt"
	"path/filepath"

	"bingzhan/backend"
	"bingzhan/sync/county"
	"bingzhan/sync/wire"

	"github.com/jackc/pgx/v5"
)

// datasetColumns are the columns scanDataset reads, in its order.
const datasetColumns = `name, seq, version, imported_at, imported_by, source, items, sealed, body`

func scanDataset(row pgx.Row, r *county.DatasetRecord) error {
	return row.Scan(&r.Name, &r.Seq, &r.Version, &r.ImportedAt, &r.ImportedBy, &r.Source, &r.Items, &r.Sealed, &r.Body)
}

// Import implements county.Store.
func (s *Store) Import(ctx context.Context, name, filename string, data []byte, by string) (*county.DatasetInfo, error) {
	if !county.ValidDataset(name) {
		return nil, county.Errorf(backend.ENOTFOUND, "county.dataset_unknown", name)
	}
	now := s.now()
	var seq int
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM datasets WHERE name = $1`, name).Scan(&seq); err != nil {
		return nil, ctxErr(ctx, err)
	}
	in := &county.DatasetImport{Name: name, Filename: filename, Data: data,
		Version: county.DatasetVersion(now, s.location, seq), Now: now, Read: s.readSheet, Cipher: s.cipher}
	var err error
	switch name {
	case wire.RefCatalog:
		_, in.Current, err = s.CurrentDataset(ctx, wire.RefCatalog)
	case wire.RefBookings:
		in.Stations, err = s.Stations(ctx)
	}
	if err != nil {
		return nil, err
	}
	parsed, err := county.ParseDataset(in)
	if err != nil {
		return nil, err
	}
	rec := &county.DatasetRecord{Name: name, Seq: seq, ImportedAt: now, ImportedBy: by, Source: filepath.Base(filename),
		Version: parsed.Version, Items: parsed.Items, Body: parsed.Body}
	if county.SealedDataset(name) {
		if rec.Body, err = s.cipher.Seal(name, rec.Version, rec.Body); err != nil {
			return nil, err
		}
		rec.Sealed = true
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := currentRecord(ctx, tx, name)
		switch {
		case err != nil:
			return err
		case cur != nil && cur.Seq+1 != seq, cur == nil && seq != 1:
			return county.Errorf(backend.ECONFLICT, "county.dataset_race", name)
		case cur != nil && cur.Version == rec.Version:
			return county.Errorf(backend.ECONFLICT, "county.dataset_version", name, rec.Version)
		}
		return insertDataset(ctx, tx, rec, false)
	})
	if isUnique(err, "datasets_pkey") {
		// Another server's import of the same number committed first.
		err = county.Errorf(backend.ECONFLICT, "county.dataset_race", name)
	}
	if err != nil {
		return nil, err
	}
	s.logger.Info("data set imported", "name", name, "version", rec.Version, "items", rec.Items, "by", by)
	info := rec.Info()
	return &info, nil
}

// insertDataset stores r, over the version with its number when replace.
func insertDataset(ctx context.Context, tx pgx.Tx, r *county.DatasetRecord, replace bool) error {
	q := `INSERT INTO datasets (` + datasetColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	if replace {
		q += ` ON CONFLICT (name, seq) DO UPDATE SET version = excluded.version, imported_at = excluded.imported_at,
			imported_by = excluded.imported_by, source = excluded.source, items = excluded.items,
			sealed = excluded.sealed, body = excluded.body`
	}
	_, err := tx.Exec(ctx, q, r.Name, r.Seq, r.Version, r.ImportedAt, r.ImportedBy, r.Source, r.Items, r.Sealed, r.Body)
	return err
}

// PutDataset stores one version of a data set as another store kept it (its body
// sealed as it was: the county folder must hold the same data key), over the version
// with its name and number if there is one: how a county moves here. The version with
// the highest number is the current one. Returns ENOTFOUND for a name other than
// catalog, registry or bookings, EINVALID for a number below 1.
func (s *Store) PutDataset(ctx context.Context, r county.DatasetRecord) error {
	if !county.ValidDataset(r.Name) {
		return county.Errorf(backend.ENOTFOUND, "county.dataset_unknown", r.Name)
	}
	if r.Seq < 1 {
		return county.Errorf(backend.EINVALID, "county.text", fmt.Sprintf("data set %s: import number %d", r.Name, r.Seq))
	}
	if r.Body == nil {
		r.Body = []byte{}
	}
	return s.inTx(ctx, func(tx pgx.Tx) error { return insertDataset(ctx, tx, &r, true) })
}

// currentRecord returns the named data set's newest version, or nil.
func currentRecord(ctx context.Context, q querier, name string) (*county.DatasetRecord, error) {
	var r county.DatasetRecord
	err := scanDataset(q.QueryRow(ctx, `SELECT `+datasetColumns+` FROM datasets WHERE name = $1 ORDER BY seq DESC LIMIT 1`, name), &r)
	if found, err := noRows(err); !found {
		return nil, err
	}
	return &r, nil
}

// CurrentDataset implements county.Store.
func (s *Store) CurrentDataset(ctx context.Context, name string) (etag string, body []byte, err error) {
	rec, err := currentRecord(ctx, s.pool, name)
	if err != nil || rec == nil {
		return "", nil, ctxErr(ctx, err)
	}
	return rec.Content(s.cipher)
}

// Datasets implements county.Store.
func (s *Store) Datasets(ctx context.Context) ([]county.DatasetInfo, error) {
	var out []county.DatasetInfo
	for _, name := range county.DatasetNames {
		rec, err := currentRecord(ctx, s.pool, name)
		if err != nil {
			return nil, ctxErr(ctx, err)
		}
		if rec != nil {
			out = append(out, rec.Info())
		}
	}
	return out, nil
}
