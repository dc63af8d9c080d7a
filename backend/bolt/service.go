package bolt

import (
	"context"

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
	err := s.db.db.View(func(tx *bolt.Tx) (err error) {
		out, err = allServices(tx)
		return err
	})
	return out, err
}

// UpdateService changes a service's editable fields in one transaction.
func (s *ServiceService) UpdateService(ctx context.Context, letter string, u backend.ServiceUpdate) (*backend.Service, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	var svc *backend.Service
	err := s.db.db.Update(func(tx *bolt.Tx) (err error) {
		if svc, err = findService(tx, letter); err != nil {
			return err
		}
		svc.NameZH, svc.NameEN, svc.Enabled, svc.AvgServiceS = u.NameZH, u.NameEN, u.Enabled, u.AvgServiceS
		return putJSON(tx.Bucket(bucketServices), []byte(letter), svc)
	})
	if err != nil {
		return nil, err
	}
	return svc, nil
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
