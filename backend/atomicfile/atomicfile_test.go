package atomicfile_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"bingzhan/backend/atomicfile"
)

func TestWrite(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "key.pem")
		if err := atomicfile.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := atomicfile.WriteFile(path, []byte("new"), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != "new" {
			t.Fatalf("%q, %v", got, err)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v", fi.Mode().Perm())
		}
		if _, err := os.Stat(path + atomicfile.TempSuffix); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("temporary file left behind: %v", err)
		}
	})
	t.Run("ErrWriteKeepsOld", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "backup.db")
		if err := atomicfile.WriteFile(path, []byte("whole"), 0o600); err != nil {
			t.Fatal(err)
		}
		failed := errors.New("disk full")
		err := atomicfile.Write(path, 0o600, func(w io.Writer) error {
			w.Write([]byte("hal"))
			return failed
		})
		if !errors.Is(err, failed) {
			t.Fatalf("Write: %v", err)
		}
		if got, _ := os.ReadFile(path); string(got) != "whole" {
			t.Errorf("the old file changed: %q", got)
		}
		if _, err := os.Stat(path + atomicfile.TempSuffix); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("temporary file left behind: %v", err)
		}
	})
}
