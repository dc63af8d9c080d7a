package keys_test

import (
	"os"
	"path/filepath"
	"testing"

	"bingzhan/backend/keys"
)

func TestLoadOrCreate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	k1, err := keys.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("FilesPrivate", func(t *testing.T) {
		for _, name := range []string{keys.SigningFile, keys.DataFile} {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s mode %v", name, fi.Mode().Perm())
			}
		}
	})

	t.Run("StableAcrossRestarts", func(t *testing.T) {
		k2, err := keys.LoadOrCreate(dir)
		if err != nil {
			t.Fatal(err)
		}
		if !k1.Public().Equal(k2.Public()) {
			t.Error("signing key changed on reload")
		}
		if k1.PersonKey("11010519491231002X") != k2.PersonKey("11010519491231002X") {
			t.Error("person key changed on reload")
		}
	})

	t.Run("PersonKeyIsKeyed", func(t *testing.T) {
		other, err := keys.LoadOrCreate(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if k1.PersonKey("11010519491231002X") == other.PersonKey("11010519491231002X") {
			t.Error("two stations hash an ID number alike")
		}
	})

	t.Run("ErrDamaged", func(t *testing.T) {
		bad := t.TempDir()
		os.WriteFile(filepath.Join(bad, keys.SigningFile), []byte("not a key"), 0o600)
		if _, err := keys.LoadOrCreate(bad); err == nil {
			t.Fatal("damaged key accepted")
		}
	})
}
