package bolt

import (
	"bingzhan/sync/county"

	bbolt "go.etcd.io/bbolt"
)

// PutDays stores figures as ingest would have counted them, for benchmarks that need
// a year of them without a year of pushes.
func (s *Store) PutDays(station string, days map[string]county.DayStats) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketDaily)
		for date, d := range days {
			if err := b.Put(join(station, date), county.EncodeDay(&d)); err != nil {
				return err
			}
		}
		return nil
	})
}
