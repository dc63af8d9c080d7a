package county

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"bingzhan/backend/atomicfile"
	"bingzhan/backend/keys"
)

// DataKeyFile holds the county's data key inside the county's folder, beside the
// database and never inside it. Every store seals the registry and the bookings with
// it (and makes the bookings' ids with it, county.BookingID); servers that
// share one database share this file (or copies of it).
const DataKeyFile = "keys/county-data.key"

// OpenDataKey returns the cipher of the county whose folder is dir, making its key the
// first time. Servers starting together on one new folder end up with one key: each
// writes its new key to a file of its own and links it into place, which only the
// first one does; the others read the first one's.
func OpenDataKey(dir string) (*keys.Cipher, error) {
	path := filepath.Join(dir, DataKeyFile)
	key, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := createDataKey(path); err != nil {
			return nil, fmt.Errorf("write data key: %w", err)
		}
		key, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read data key: %w", err)
	}
	return keys.NewCipher(key)
}

// createDataKey puts a new key at path unless there is one already.
func createDataKey(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	key := make([]byte, 32)
	rand.Read(key)
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*"+atomicfile.TempSuffix)
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	_, err = f.Write(key)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Link(f.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	atomicfile.SyncDir(filepath.Dir(path))
	return nil
}
