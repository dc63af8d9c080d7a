package bolt

import (
	"syscall"

	bolt "go.etcd.io/bbolt"
)

// ReleaseMapped drops the pages of the file from the process's resident memory. bbolt
// reads the file through a shared read-only mapping, so every page a read touches
// stays resident in the station process: after the integrity check at open (every
// page) and the ledger index (every visit), a station with a million-person registry
// held half a gigabyte it does not need until a lookup comes. MADV_DONTNEED on a
// shared file mapping only forgets the process's references: the pages stay in the
// system's file cache, which can reclaim them under pressure as it cannot reclaim
// mapped ones, and the next read of a page faults it back in from there (or the disk).
// bbolt writes through the file, not the mapping, so nothing written is lost.
//
// It holds a read transaction, so bbolt cannot remap the file under it (a remap could
// otherwise place other memory at the old address). Errors are ignored: the advice
// changes how much memory is resident, never what is read.
func (db *DB) ReleaseMapped() {
	db.db.View(func(tx *bolt.Tx) error {
		// Info is bbolt's handle on the mapping; its size is at least the file's,
		// and pages past the file's end were never resident.
		syscall.Syscall(syscall.SYS_MADVISE, db.db.Info().Data, uintptr(tx.Size()), syscall.MADV_DONTNEED)
		return nil
	})
}
