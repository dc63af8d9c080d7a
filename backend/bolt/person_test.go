package bolt_test

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/bolt"
	"bingzhan/backend/demo"
	"bingzhan/backend/keys"

	"github.com/jonboulle/clockwork"
)

// MustPersons returns the registry of a fresh database loaded with n demo persons.
func MustPersons(tb testing.TB, n int) (*bolt.PersonService, *bolt.DB, *clockwork.FakeClock, []backend.Person) {
	tb.Helper()
	db, clock := MustOpenDB(tb)
	s := newPersons(tb, db, MustKeys(tb))
	people := demo.List(demo.Seed, n)
	if _, err := s.ReplaceRegistry(context.Background(), "r1", slicesSeq(people)); err != nil {
		tb.Fatal(err)
	}
	return s, db, clock, people
}

func newPersons(tb testing.TB, db *bolt.DB, k *keys.Keys) *bolt.PersonService {
	tb.Helper()
	c, err := k.Cipher()
	if err != nil {
		tb.Fatal(err)
	}
	return bolt.NewPersonService(db, backend.StationID(k.Public()), c, k.PersonKey)
}

func slicesSeq(people []backend.Person) func(func(*backend.Person, error) bool) {
	return func(yield func(*backend.Person, error) bool) {
		for i := range people {
			p := people[i]
			if !yield(&p, nil) {
				return
			}
		}
	}
}

func outboxKinds(tb testing.TB, db *bolt.DB) []string {
	tb.Helper()
	entries, err := db.OutboxEntries(context.Background(), 0, 1000)
	if err != nil {
		tb.Fatal(err)
	}
	var kinds []string
	for _, e := range entries {
		kinds = append(kinds, e.Kind)
	}
	return kinds
}

func wrongLast4(p backend.Person) string {
	l := []byte(p.PhoneLast4())
	l[3] = '0' + (l[3]-'0'+1)%10
	return string(l)
}

func TestPersonService_Lookup(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		s, _, _, people := MustPersons(t, 50)
		for _, p := range people[:10] {
			got, err := s.LookupPerson(ctx, "kiosk", strings.ToLower(p.IDNumber), p.PhoneLast4())
			if err != nil {
				t.Fatalf("lookup: %v", err)
			}
			if got.Name != p.Name || got.CardStatus != p.CardStatus || !slices.Equal(got.Categories, p.Categories) {
				t.Fatalf("got %+v, want %+v", got, p)
			}
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		s, _, _, people := MustPersons(t, 5)
		for _, tt := range []struct{ id, last4 string }{
			{"11010519491231003X", "1234"}, // checksum
			{people[0].IDNumber, "123"},
			{people[0].IDNumber, "12a4"},
		} {
			if _, err := s.LookupPerson(ctx, "kiosk", tt.id, tt.last4); backend.ErrorCode(err) != backend.EINVALID {
				t.Errorf("%q/%q: %v, want invalid", tt.id, tt.last4, err)
			}
		}
		// Typing mistakes are not attempts: the real owner still has all three.
		if _, err := s.LookupPerson(ctx, "kiosk", people[0].IDNumber, wrongLast4(people[0])); err == nil {
			t.Fatal("wrong last4 accepted")
		} else if left, ok := backend.AttemptsLeft(err); !ok || left != 2 {
			t.Fatalf("attempts left %d, %v after the first real failure", left, ok)
		}
	})

	t.Run("ErrLocked", func(t *testing.T) {
		s, db, clock, people := MustPersons(t, 5)
		p := people[0]
		for want := 2; want >= 1; want-- {
			_, err := s.LookupPerson(ctx, "kiosk", p.IDNumber, wrongLast4(p))
			if left, ok := backend.AttemptsLeft(err); !ok || left != want || backend.ErrorCode(err) != backend.ENOTFOUND {
				t.Fatalf("attempts left = %d, %v (%v); want %d", left, ok, err, want)
			}
		}
		_, err := s.LookupPerson(ctx, "kiosk", p.IDNumber, wrongLast4(p))
		if backend.ErrorCode(err) != backend.EFORBIDDEN {
			t.Fatalf("third failure: %v, want forbidden", err)
		}
		// Now even the right answer is refused: the person is sent to staff.
		if _, err := s.LookupPerson(ctx, "kiosk", p.IDNumber, p.PhoneLast4()); backend.ErrorCode(err) != backend.EFORBIDDEN {
			t.Fatalf("right answer while locked: %v, want forbidden", err)
		}
		if kinds := outboxKinds(t, db); !slices.Contains(kinds, backend.KindLookupLocked) {
			t.Errorf("no %s fact in outbox %v", backend.KindLookupLocked, kinds)
		}
		// Other people are not affected.
		if _, err := s.LookupPerson(ctx, "kiosk", people[1].IDNumber, people[1].PhoneLast4()); err != nil {
			t.Fatalf("another person: %v", err)
		}

		t.Run("Expires", func(t *testing.T) {
			clock.Advance(backend.LookupLockTime - time.Minute)
			if _, err := s.LookupPerson(ctx, "kiosk", p.IDNumber, p.PhoneLast4()); backend.ErrorCode(err) != backend.EFORBIDDEN {
				t.Fatalf("before a day has passed: %v", err)
			}
			clock.Advance(2 * time.Minute)
			if _, err := s.LookupPerson(ctx, "kiosk", p.IDNumber, p.PhoneLast4()); err != nil {
				t.Fatalf("after a day: %v", err)
			}
		})
	})

	// A device that locks a number locks it there alone: a tablet someone is
	// guessing on does not lock the veteran out at the station's own kiosk. Staff
	// clearing the number clears it everywhere.
	t.Run("LockedAtOneDevice", func(t *testing.T) {
		s, _, _, people := MustPersons(t, 5)
		p := people[0]
		for range backend.MaxLookupFailures {
			s.LookupPerson(ctx, "device:tablet", p.IDNumber, wrongLast4(p))
		}
		if _, err := s.LookupPerson(ctx, "device:tablet", p.IDNumber, p.PhoneLast4()); backend.ErrorCode(err) != backend.EFORBIDDEN {
			t.Fatalf("at the device that failed: %v, want forbidden", err)
		}
		if _, err := s.LookupPerson(ctx, "kiosk", p.IDNumber, p.PhoneLast4()); err != nil {
			t.Fatalf("at the kiosk: %v", err)
		}
		s.LookupPerson(ctx, "kiosk", p.IDNumber, wrongLast4(p))
		if err := s.ClearLookupLock(ctx, p.IDNumber); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LookupPerson(ctx, "device:tablet", p.IDNumber, p.PhoneLast4()); err != nil {
			t.Fatalf("at the device after staff cleared the number: %v", err)
		}
		_, err := s.LookupPerson(ctx, "kiosk", p.IDNumber, wrongLast4(p))
		if left, _ := backend.AttemptsLeft(err); left != backend.MaxLookupFailures-1 {
			t.Fatalf("the kiosk's earlier failure still counts after the clear: %d left", left)
		}
	})

	t.Run("LockSurvivesRestart", func(t *testing.T) {
		dir := t.TempDir()
		k := MustKeys(t)
		db, _ := MustOpenDBAt(t, dir)
		s := newPersons(t, db, k)
		people := demo.List(demo.Seed, 3)
		if _, err := s.ReplaceRegistry(ctx, "r1", slicesSeq(people)); err != nil {
			t.Fatal(err)
		}
		for range backend.MaxLookupFailures {
			s.LookupPerson(ctx, "kiosk", people[0].IDNumber, wrongLast4(people[0]))
		}
		db.Close()
		db2, _ := MustOpenDBAt(t, dir)
		s2 := newPersons(t, db2, k)
		if _, err := s2.LookupPerson(ctx, "kiosk", people[0].IDNumber, people[0].PhoneLast4()); backend.ErrorCode(err) != backend.EFORBIDDEN {
			t.Fatalf("after restart: %v, want forbidden", err)
		}
		t.Run("StaffClear", func(t *testing.T) {
			if err := s2.ClearLookupLock(ctx, people[0].IDNumber); err != nil {
				t.Fatal(err)
			}
			if _, err := s2.LookupPerson(ctx, "kiosk", people[0].IDNumber, people[0].PhoneLast4()); err != nil {
				t.Fatalf("after staff cleared it: %v", err)
			}
			if kinds := outboxKinds(t, db2); !slices.Contains(kinds, backend.KindLookupUnlocked) {
				t.Errorf("no %s fact in outbox %v", backend.KindLookupUnlocked, kinds)
			}
		})
	})

	t.Run("UnknownLooksLikeWrong", func(t *testing.T) {
		s, _, _, people := MustPersons(t, 5)
		unknown := demo.IDNumber("110105", time.Date(1950, 3, 4, 0, 0, 0, 0, time.UTC), 11)
		errUnknown := func() error { _, err := s.LookupPerson(ctx, "kiosk", unknown, "1234"); return err }()
		_, errWrong := s.LookupPerson(ctx, "kiosk", people[0].IDNumber, wrongLast4(people[0]))
		for _, lang := range []string{"zh-CN", "en"} {
			if a, b := backend.ErrorMessage(errUnknown, lang), backend.ErrorMessage(errWrong, lang); a != b {
				t.Errorf("unknown ID says %q, wrong last4 says %q: the difference reveals who is registered", a, b)
			}
		}
		for range 2 {
			s.LookupPerson(ctx, "kiosk", unknown, "1234")
		}
		if _, err := s.LookupPerson(ctx, "kiosk", unknown, "1234"); backend.ErrorCode(err) != backend.EFORBIDDEN {
			t.Fatalf("unknown ID after 3 tries: %v, want forbidden", err)
		}
	})

	t.Run("SuccessClearsFailures", func(t *testing.T) {
		s, _, _, people := MustPersons(t, 3)
		p := people[0]
		for range 2 {
			s.LookupPerson(ctx, "kiosk", p.IDNumber, wrongLast4(p))
		}
		if _, err := s.LookupPerson(ctx, "kiosk", p.IDNumber, p.PhoneLast4()); err != nil {
			t.Fatal(err)
		}
		_, err := s.LookupPerson(ctx, "kiosk", p.IDNumber, wrongLast4(p))
		if left, _ := backend.AttemptsLeft(err); left != 2 {
			t.Fatalf("after a success, %d attempts left, want 2", left)
		}
	})
}

func TestPersonService_Registry(t *testing.T) {
	ctx := context.Background()

	t.Run("Replace", func(t *testing.T) {
		s, db, _, people := MustPersons(t, 20)
		if v, n, _ := s.Registry(ctx); v != "r1" || n != 20 {
			t.Fatalf("registry %q %d", v, n)
		}
		next := demo.List(99, 10)
		if n, err := s.ReplaceRegistry(ctx, "r2", slicesSeq(next)); err != nil || n != 10 {
			t.Fatalf("replace: %d, %v", n, err)
		}
		if _, err := s.LookupPerson(ctx, "kiosk", next[0].IDNumber, next[0].PhoneLast4()); err != nil {
			t.Fatalf("new person: %v", err)
		}
		if _, err := s.LookupPerson(ctx, "kiosk", people[0].IDNumber, people[0].PhoneLast4()); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Fatalf("person of the old registry: %v, want not found", err)
		}
		if v, n, _ := s.Registry(ctx); v != "r2" || n != 10 {
			t.Fatalf("registry %q %d", v, n)
		}
		kinds := outboxKinds(t, db)
		if slices.Index(kinds, backend.KindRegistryReplaced) < 0 {
			t.Fatalf("outbox %v", kinds)
		}
		t.Run("SameVersionNoop", func(t *testing.T) {
			before := len(outboxKinds(t, db))
			if _, err := s.ReplaceRegistry(ctx, "r2", slicesSeq(people)); err != nil {
				t.Fatal(err)
			}
			if _, err := s.LookupPerson(ctx, "kiosk", next[1].IDNumber, next[1].PhoneLast4()); err != nil {
				t.Fatalf("registry changed by a repeated version: %v", err)
			}
			if after := len(outboxKinds(t, db)); after != before {
				t.Fatalf("outbox grew from %d to %d", before, after)
			}
		})
	})

	t.Run("ErrBadRecordChangesNothing", func(t *testing.T) {
		s, _, _, people := MustPersons(t, 5)
		bad := demo.List(7, 5)
		bad[3].Phone = "12345"
		_, err := s.ReplaceRegistry(ctx, "r2", slicesSeq(bad))
		if backend.ErrorCode(err) != backend.EINVALID || !strings.Contains(backend.ErrorMessage(err, "en"), "record 4") {
			t.Fatalf("err = %v", err)
		}
		dup := append(demo.List(7, 3), demo.List(7, 1)...)
		if _, err := s.ReplaceRegistry(ctx, "r3", slicesSeq(dup)); backend.ErrorCode(err) != backend.EINVALID {
			t.Fatalf("duplicate ID: %v", err)
		}
		if v, _, _ := s.Registry(ctx); v != "r1" {
			t.Fatalf("version %q after failed replacements", v)
		}
		if _, err := s.LookupPerson(ctx, "kiosk", people[0].IDNumber, people[0].PhoneLast4()); err != nil {
			t.Fatalf("old registry gone: %v", err)
		}
	})

	t.Run("PutPersons", func(t *testing.T) {
		s, _, _, people := MustPersons(t, 5)
		p := people[0]
		p.CardStatus = backend.CardReady
		p.CardHistory = append(slices.Clone(p.CardHistory), backend.CardEvent{Status: backend.CardReady, Date: "2026-11-20"})
		extra := demo.List(42, 1)[0]
		if err := s.PutPersons(ctx, []backend.Person{p, extra}); err != nil {
			t.Fatal(err)
		}
		got, err := s.LookupPerson(ctx, "kiosk", p.IDNumber, p.PhoneLast4())
		if err != nil || got.CardStatus != backend.CardReady {
			t.Fatalf("updated person: %+v, %v", got, err)
		}
		if _, n, _ := s.Registry(ctx); n != 6 {
			t.Fatalf("count %d, want 6", n)
		}
	})

	t.Run("DecodePersons", func(t *testing.T) {
		db, _ := MustOpenDB(t)
		s := newPersons(t, db, MustKeys(t))
		in := `{"id_number":"11010519491231002X","name":"测试甲","phone":"13812341234","categories":["VETERAN"],"card_status":"ready"}
{"id_number":"440524188001010014","name":"测试乙","phone":"13900001111","categories":["MARTYR_FAMILY"],"relation":"parent","card_status":"issued"}
`
		if n, err := s.ReplaceRegistry(ctx, "county-7", backend.DecodePersons(strings.NewReader(in))); err != nil || n != 2 {
			t.Fatalf("%d, %v", n, err)
		}
		got, err := s.LookupPerson(ctx, "kiosk", "11010519491231002x", "1234")
		if err != nil || got.Name != "测试甲" {
			t.Fatalf("%+v, %v", got, err)
		}
		_, err = s.ReplaceRegistry(ctx, "county-8", backend.DecodePersons(strings.NewReader(in+`{"id_number":1}`)))
		if backend.ErrorCode(err) != backend.EINVALID {
			t.Fatalf("malformed line: %v", err)
		}
	})
}

// TestPersonService_NoPlaintext loads a registry and then reads the raw database file:
// no ID number, phone number or name may appear in it, in any of the forms a search
// would try.
func TestPersonService_NoPlaintext(t *testing.T) {
	dir := t.TempDir()
	db, _ := MustOpenDBAt(t, dir)
	k := MustKeys(t)
	s := newPersons(t, db, k)
	people := demo.List(demo.Seed, 300)
	ctx := context.Background()
	if _, err := s.ReplaceRegistry(ctx, "r1", slicesSeq(people)); err != nil {
		t.Fatal(err)
	}
	// Failures and lockouts are stored too: they must not hold the number either.
	for range 3 {
		s.LookupPerson(ctx, "kiosk", people[0].IDNumber, wrongLast4(people[0]))
	}
	if err := s.PutPersons(ctx, people[:5]); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := os.ReadFile(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) < 100_000 {
		t.Fatalf("database only %d bytes: the registry was not written", len(raw))
	}
	for _, p := range people {
		for _, secret := range []string{p.IDNumber, p.IDNumber[:17], p.Phone, p.Name, backend.MaskIDNumber(p.IDNumber)} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Fatalf("database file contains %q of a registry person in plaintext", secret)
			}
		}
	}
	for _, marker := range []string{`"id_number"`, `"phone"`, `"card_status"`, "DISABLED_VET"} {
		if bytes.Contains(raw, []byte(marker)) {
			t.Errorf("database file contains %s: records are not sealed whole", marker)
		}
	}
}
