// Package atomicfile writes files that a power cut leaves whole or not there at all:
// keys, certificates and database backups, which are read back in full or not at all.
package atomicfile

import (
	"io"
	"os"
	"path/filepath"
)

// TempSuffix ends the name of a file being written. A crash can leave one behind;
// it never has the final name, so nothing mistakes it for a finished file.
const TempSuffix = ".partial"

// Write creates or replaces path with what write puts into it: write gets a new file
// named path+TempSuffix, which is synced, renamed over path, and its folder synced so
// the rename survives a power cut too. On any error the temporary file is removed and
// path is left as it was.
func Write(path string, perm os.FileMode, write func(w io.Writer) error) error {
	tmp := path + TempSuffix
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	err = write(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	SyncDir(filepath.Dir(path))
	return nil
}

// WriteFile is Write for data already in memory.
func WriteFile(path string, data []byte, perm os.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// SyncDir makes a rename in dir durable. Best effort: some systems (Windows) cannot
// open a folder for syncing, and there a rename is durable by other means.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
