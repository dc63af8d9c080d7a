package bolt

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	"bingzhan/sync/county"

	bbolt "go.etcd.io/bbolt"
)

// AddStation implements county.Store.
func (s *Store) AddStation(ctx context.Context, name string) (*county.Station, string, error) {
	name, err := county.StationName(name)
	if err != nil {
		return nil, "", err
	}
	secret, hash := county.NewSecret()
	st := &county.Station{Name: name, SecretHash: hash, CreatedAt: s.now().UTC(), Received: map[string]int{}}
	err = s.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketStations)
		var dup error
		b.ForEach(func(_, v []byte) error {
			var other county.Station
			if json.Unmarshal(v, &other) == nil && other.Name == name && other.RetiredAt == nil {
				dup = county.ErrStationExists(name, &other)
			}
			return nil
		})
		if dup != nil {
			return dup
		}
		n, err := b.NextSequence()
		if err != nil {
			return err
		}
		st.ID = county.StationID(n)
		return putJSON(b, []byte(st.ID), st)
	})
	if err != nil {
		return nil, "", err
	}
	return st, secret, nil
}

// NewSecret implements county.Store.
func (s *Store) NewSecret(ctx context.Context, idOrName string) (*county.Station, string, error) {
	secret, hash := county.NewSecret()
	st, err := s.changeStation(ctx, idOrName, func(st *county.Station) error { return county.GiveNewSecret(st, hash) })
	if err != nil {
		return nil, "", err
	}
	return st, secret, nil
}

// RetireStation implements county.Store.
func (s *Store) RetireStation(ctx context.Context, idOrName string) (*county.Station, error) {
	now := s.now().UTC()
	return s.changeStation(ctx, idOrName, func(st *county.Station) error { return county.Retire(st, now) })
}

// changeStation applies change to the station with this id, or else the one station
// (not retired) with this name, in one transaction.
func (s *Store) changeStation(ctx context.Context, idOrName string, change func(*county.Station) error) (*county.Station, error) {
	idOrName = strings.TrimSpace(idOrName)
	var st county.Station
	err := s.update(ctx, func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketStations)
		found, err := getJSON(b, []byte(idOrName), &st)
		if err != nil {
			return err
		}
		if !found {
			err := b.ForEach(func(_, v []byte) error {
				var other county.Station
				if json.Unmarshal(v, &other) == nil && other.Name == idOrName && (!found || st.RetiredAt != nil) {
					st, found = other, true
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if !found {
			return county.ErrStationNotFound(idOrName)
		}
		if err := change(&st); err != nil {
			return err
		}
		return putJSON(b, []byte(st.ID), &st)
	})
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// Stations implements county.Store.
func (s *Store) Stations(ctx context.Context) ([]county.Station, error) {
	var out []county.Station
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketStations).ForEach(func(_, v []byte) error {
			var st county.Station
			if err := json.Unmarshal(v, &st); err != nil {
				return err
			}
			out = append(out, st)
			return nil
		})
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// Authenticate implements county.Store.
func (s *Store) Authenticate(ctx context.Context, id, secret string) (*county.Station, error) {
	var st county.Station
	var found bool
	err := s.db.View(func(tx *bbolt.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(bucketStations), []byte(id), &st)
		return err
	})
	if err != nil {
		return nil, err
	}
	return county.CheckSecret(&st, found, secret)
}
