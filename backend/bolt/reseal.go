package bolt

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// keyRing is what the registry needs of a sealer holding the station's data keys
// (keys.Cipher): the id of the key that seals, whether a value is sealed under it,
// and the keyed hash of an ID number under any key it holds.
type keyRing interface {
	KeyID() string
	Current(sealed []byte) bool
	PersonKeyUnder(keyID, idNumber string) (string, bool)
}

// resealBatch is how many records one transaction of a key rotation writes: a few
// hundred kilobytes, so an interruption loses little and memory stays small.
const resealBatch = 1000

// resealInBatches runs batch, which re-seals one transaction's worth of records after
// key after and returns how many it wrote and the last key it read (nil at the end),
// from the first key until the end, checking ctx between transactions so that an
// interruption keeps every batch already committed. done is the count so far, added
// to and passed to progress (when set) after each batch that wrote something; what
// names the data in a batch's error. It returns the new count, and ctx's error
// unwrapped.
func resealInBatches(ctx context.Context, what string, done int, progress func(done int), batch func(after []byte) (int, []byte, error)) (int, error) {
	var after []byte
	for {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		n, last, err := batch(after)
		if err != nil {
			return done, fmt.Errorf("reseal the %s: %w", what, err)
		}
		done += n
		if progress != nil && n > 0 {
			progress(done)
		}
		if last == nil {
			return done, nil
		}
		after = last
	}
}

// seekAfter positions c on the first key after after, or on the first key when after
// is nil: where the next batch of a key rotation starts.
func seekAfter(c *bolt.Cursor, after []byte) (k, v []byte) {
	if after == nil {
		return c.First()
	}
	if k, v = c.Seek(after); bytes.Equal(k, after) {
		k, v = c.Next()
	}
	return k, v
}

// resealRecords reads up to resealBatch records after key after in bucket name and
// writes back those reseal changes (it returns nil for one already current), in one
// transaction. It returns how many it wrote and the last key read, nil at the end.
func resealRecords(db *DB, name, after []byte, reseal func(k, v []byte) ([]byte, error)) (int, []byte, error) {
	var n int
	var last []byte
	err := db.db.Update(func(tx *bolt.Tx) error {
		n, last = 0, nil
		b := tx.Bucket(name)
		c := b.Cursor()
		k, v := seekAfter(c, after)
		var puts [][2][]byte
		for read := 0; k != nil && read < resealBatch; k, v = c.Next() {
			read++
			again, err := reseal(k, v)
			if err != nil {
				return err
			}
			if again != nil {
				puts = append(puts, [2][]byte{bytes.Clone(k), again})
			}
			last = bytes.Clone(k)
		}
		if k == nil {
			last = nil
		}
		for _, p := range puts {
			if err := b.Put(p[0], p[1]); err != nil {
				return err
			}
		}
		n = len(puts)
		return nil
	})
	return n, last, err
}
