package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"sort"

	"bingzhan/backend"

	bolt "go.etcd.io/bbolt"
)

// Indexes kept beside the tickets for calling and the day's end:
//
//	waitcount: date|letter → waiting tickets (8 bytes), so counts cost no scan
//	days:      date|arrival → id, every ticket of a day in issue order
//	live:      date|arrival → id, the open tickets (waiting, called, serving, held)
var (
	bucketWaitCount = newBucket("waitcount")
	bucketDays      = newBucket("days")
	bucketLive      = newBucket("live")
)

// rebuildIndexes recounts waitcount from waiting, and fills days and live from the
// tickets when days is empty (a database from before calling existed).
func rebuildIndexes(tx *bolt.Tx) error {
	if err := tx.DeleteBucket(bucketWaitCount); err != nil {
		return err
	}
	wc, err := tx.CreateBucket(bucketWaitCount)
	if err != nil {
		return err
	}
	counts := map[string]uint64{}
	tx.Bucket(bucketWaiting).ForEach(func(k, _ []byte) error {
		if len(k) >= 11 {
			counts[string(k[:11])]++
		}
		return nil
	})
	for k, n := range counts {
		if err := wc.Put([]byte(k), itob(n)); err != nil {
			return err
		}
	}
	if k, _ := tx.Bucket(bucketDays).Cursor().First(); k != nil {
		return nil
	}
	return tx.Bucket(bucketTickets).ForEach(func(k, v []byte) error {
		var t backend.Ticket
		if err := json.Unmarshal(v, &t); err != nil {
			return err
		}
		if err := tx.Bucket(bucketDays).Put(dayKey(&t), k); err != nil {
			return err
		}
		if t.Status.Open() {
			return tx.Bucket(bucketLive).Put(dayKey(&t), k)
		}
		return nil
	})
}

// dayKey is date(10)|arrival(8): a day's tickets in issue order.
func dayKey(t *backend.Ticket) []byte {
	return binary.BigEndian.AppendUint64([]byte(t.Date), t.Arrival)
}

// dayTickets returns the tickets of date in issue order.
func dayTickets(tx *bolt.Tx, date string) ([]backend.Ticket, error) {
	var out []backend.Ticket
	prefix := []byte(date)
	c := tx.Bucket(bucketDays).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		t, err := getTicket(tx, string(v))
		if err != nil {
			return nil, err
		}
		out = append(out, *t)
	}
	return out, nil
}

// addWaiting puts t in its service's queue and counts it.
func addWaiting(tx *bolt.Tx, t *backend.Ticket) error {
	k := waitingKey(t)
	if err := tx.Bucket(bucketWaiting).Put(k, []byte(t.ID)); err != nil {
		return err
	}
	wc := tx.Bucket(bucketWaitCount)
	return wc.Put(k[:11], itob(btoi(wc.Get(k[:11]))+1))
}

// removeWaiting takes t out of its service's queue.
func removeWaiting(tx *bolt.Tx, t *backend.Ticket) error {
	k := waitingKey(t)
	w := tx.Bucket(bucketWaiting)
	if w.Get(k) == nil {
		return nil
	}
	if err := w.Delete(k); err != nil {
		return err
	}
	wc := tx.Bucket(bucketWaitCount)
	if n := btoi(wc.Get(k[:11])); n > 1 {
		return wc.Put(k[:11], itob(n-1))
	}
	return wc.Delete(k[:11])
}

// waitCounts returns the waiting tickets per service letter on date.
func waitCounts(tx *bolt.Tx, date string) map[string]int {
	out := map[string]int{}
	prefix := []byte(date)
	c := tx.Bucket(bucketWaitCount).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) == 11 {
			out[string(k[10:])] = int(btoi(v))
		}
	}
	return out
}

// allServices returns the services in display order.
func allServices(tx *bolt.Tx) ([]backend.Service, error) {
	var out []backend.Service
	err := tx.Bucket(bucketServices).ForEach(func(k, v []byte) error {
		var svc backend.Service
		if err := json.Unmarshal(v, &svc); err != nil {
			return err
		}
		out = append(out, svc)
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out, err
}
