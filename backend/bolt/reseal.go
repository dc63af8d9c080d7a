package bolt

import (
	"bytes"

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
		k, v := c.First()
		if after != nil {
			if k, v = c.Seek(after); bytes.Equal(k, after) {
				k, v = c.Next()
			}
		}
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
