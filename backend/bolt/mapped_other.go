//go:build !linux

package bolt

// ReleaseMapped drops the pages of the file from the process's resident memory where
// the system lets a program do that to a shared file mapping (Linux); elsewhere the
// system trims the process's working set itself when memory runs short.
func (db *DB) ReleaseMapped() {}
