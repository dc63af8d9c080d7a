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
// database and never inside it. Every store seals the registry with it; servers that
// share one database share this file (or copies of it).
const DataKeyFile = "keys/county-data.key"

// OpenDataKey returns the cipher of the county whose folder is dir, making its key the
// first time.
func OpenDataKey(dir string) (*keys.Cipher, error) {
	path := filepath.Join(dir, DataKeyFile)
	key, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key = make([]byte, 32)
		rand.Read(key)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := atomicfile.WriteFile(path, key, 0o600); err != nil {
			return nil, fmt.Errorf("write data key: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read data key: %w", err)
	}
	return keys.NewCipher(key)
}
