package bolt

import (
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Compact rewrites the station database in dir with its live data only, so values
// a key rotation replaced do not linger in free pages. It writes a synced temporary
// file and renames it over the original while that is still open and locked, so no
// station can open the old file meanwhile and write to a file about to vanish. A
// power cut leaves the old file or the new one; both hold the same records. The
// database must be closed: while a station holds the file, Compact fails within a
// second and changes nothing.
func Compact(dir string) error {
	path := filepath.Join(dir, FileName)
	src, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, ReadOnly: true})
	if err != nil {
		return err
	}
	defer src.Close()
	tmp := path + ".compact"
	os.Remove(tmp) // a previous attempt's
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	if err := bolt.Compact(dst, src, 16<<20); err != nil {
		dst.Close()
		os.Remove(tmp)
		return err
	}
	if err := dst.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		// Windows cannot replace a file that is open. There, a station that opened
		// the file after this close would make the rename fail the same way, so
		// closing first cannot lose its writes.
		src.Close()
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return err
		}
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync() // best effort: Windows cannot sync a folder
		d.Close()
	}
	return nil
}
