package bolt

import (
	"context"
	"encoding/json"
	"sort"

	"bingzhan/backend"

	bolt "go.etcd.io/bbolt"
)

// ServiceService reads the station's services from the database.
type ServiceService struct {
	db *DB
}

// NewServiceService returns a ServiceService on db.
func NewServiceService(db *DB) *ServiceService { return &ServiceService{db: db} }

// Services returns all services in display order.
func (s *ServiceService) Services(ctx context.Context) ([]backend.Service, error) {
	var out []backend.Service
	err := s.db.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketServices).ForEach(func(k, v []byte) error {
			var svc backend.Service
			if err := json.Unmarshal(v, &svc); err != nil {
				return err
			}
			out = append(out, svc)
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out, err
}

// Service returns one service; ENOTFOUND if none has that letter.
func (s *ServiceService) Service(ctx context.Context, letter string) (*backend.Service, error) {
	var svc *backend.Service
	err := s.db.db.View(func(tx *bolt.Tx) (err error) {
		svc, err = findService(tx, letter)
		return err
	})
	return svc, err
}

func findService(tx *bolt.Tx, letter string) (*backend.Service, error) {
	var svc backend.Service
	if ok, err := getJSON(tx.Bucket(bucketServices), []byte(letter), &svc); err != nil {
		return nil, err
	} else if !ok {
		return nil, backend.Errorf(backend.ENOTFOUND, "service.unknown", letter)
	}
	return &svc, nil
}
