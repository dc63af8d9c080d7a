package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"bingzhan/backend"
	"bingzhan/backend/app"
	"bingzhan/backend/app/apptest"
	"bingzhan/backend/demo"
	"bingzhan/backend/keys"
)

// keyStation is a demo station (2,000 registry persons) with ledger entries, an
// unmasked read (a sealed access-log reason) and two wrong lookup answers for one
// person, closed again so that its folder can be rotated.
type keyStation struct {
	dir     string
	people  []backend.Person // the persons of the visits
	visits  []string         // their ids
	oldKey  *keys.Keys
	before  []byte // the database file before any rotation
	summary string
}

func newKeyStation(t *testing.T) *keyStation {
	t.Helper()
	s := &keyStation{dir: t.TempDir(), summary: "代父亲领取优待证并咨询抚恤补助"}
	for p := range demo.People(demo.Seed, app.DemoPersons) {
		if backend.AgeOn(p.BirthDate(), demo.Reference) >= 18 && len(s.people) < 3 {
			s.people = append(s.people, *p)
		}
	}
	m, base, token := s.open(t)
	defer m.Close()
	for i, p := range s.people {
		var v struct{ ID string }
		body := map[string]any{"id_number": p.IDNumber, "phone": p.Phone, "relation": "self", "service": "B",
			"matter": "B5", "request_id": "keys-test-" + string(rune('a'+i))}
		if st := call(t, "POST", base+"/api/v1/visits", "", body, &v); st != 201 {
			t.Fatalf("register visit: %d", st)
		}
		s.visits = append(s.visits, v.ID)
	}
	if st := authed(t, "PATCH", base+"/api/v1/visits/"+s.visits[0], token, map[string]any{"summary": s.summary, "visitor_name": "张小明"}, nil); st != 200 {
		t.Fatalf("edit visit: %d", st)
	}
	if st := authed(t, "POST", base+"/api/v1/visits/"+s.visits[0]+"/unmask", token, map[string]any{"reason": "本人来电核对身份"}, nil); st != 200 {
		t.Fatalf("unmask: %d", st)
	}
	p := s.people[1]
	for range 2 {
		call(t, "POST", base+"/api/v1/lookup", "", map[string]string{"id_number": p.IDNumber, "phone_last4": wrongLast4(p)}, nil)
	}
	s.oldKey = m.Keys
	m.Close()
	var err error
	if s.before, err = os.ReadFile(filepath.Join(s.dir, "bingzhan.db")); err != nil {
		t.Fatal(err)
	}
	return s
}

func wrongLast4(p backend.Person) string {
	if p.PhoneLast4() == "0000" {
		return "1111"
	}
	return "0000"
}

// open starts the station on the folder and logs the demo admin in.
func (s *keyStation) open(t *testing.T) (*app.Station, string, string) {
	t.Helper()
	m, base := mustOpen(t, s.dir, app.Options{Demo: true})
	var login struct{ Token string }
	call(t, "POST", base+"/api/v1/login", "", map[string]string{"name": app.DemoStaffName, "pin": app.DemoStaffPIN}, &login)
	return m, base, login.Token
}

func authed(t *testing.T, method, url, token string, body, out any) int {
	t.Helper()
	resp, _ := apptest.Send(t, method, url, body, out, apptest.Req{Token: token})
	return resp.StatusCode
}

// checkReadable starts the station and checks what staff and the kiosk would notice:
// every visit listed, found by ID number and by initials, opened in the clear with
// its summary and access log; the registry's people found at the kiosk; lockouts kept.
func (s *keyStation) checkReadable(t *testing.T, lockedAfter int) {
	t.Helper()
	m, base, token := s.open(t)
	defer m.Close()
	var page struct {
		Total  int
		Visits []struct{ ID, Name string }
	}
	if st := authed(t, "POST", base+"/api/v1/visits/search", token, map[string]any{}, &page); st != 200 || page.Total != len(s.visits) {
		t.Fatalf("the ledger lists %d of %d visits (status %d)", page.Total, len(s.visits), st)
	}
	for i, p := range s.people {
		for _, q := range []string{p.IDNumber, backend.PinyinInitials(p.Name)[0], p.Phone} {
			page.Visits = nil
			authed(t, "POST", base+"/api/v1/visits/search", token, map[string]any{"q": q}, &page)
			found := false
			for _, v := range page.Visits {
				found = found || (v.ID == s.visits[i] && v.Name == backend.MaskName(p.Name))
			}
			if !found {
				t.Errorf("person %d: search %q finds %+v", i, backend.MaskIDNumber(q), page.Visits)
			}
		}
	}
	var v struct {
		IDNumber string `json:"id_number"`
		Name     string
		Summary  string
	}
	if st := authed(t, "POST", base+"/api/v1/visits/"+s.visits[0]+"/unmask", token, map[string]any{"reason": "轮换后核对"}, &v); st != 200 ||
		v.IDNumber != s.people[0].IDNumber || v.Name != s.people[0].Name || v.Summary != s.summary {
		t.Errorf("unmasked visit: %d %+v", st, v)
	}
	var log []struct{ Reason string }
	authed(t, "GET", base+"/api/v1/visits/access-log", token, nil, &log)
	if len(log) < 2 || log[len(log)-1].Reason != "本人来电核对身份" {
		t.Errorf("access log: %+v", log)
	}
	var person struct{ Name string }
	p := s.people[2]
	if st := call(t, "POST", base+"/api/v1/lookup", "", map[string]string{"id_number": p.IDNumber, "phone_last4": p.PhoneLast4()}, &person); st != 200 || person.Name != backend.MaskName(p.Name) {
		t.Errorf("kiosk lookup of a registry person: %d %+v", st, person)
	}
	// The person with two wrong answers before: the counts followed the new hash.
	p = s.people[1]
	for i := 1; i <= lockedAfter; i++ {
		st := call(t, "POST", base+"/api/v1/lookup", "", map[string]string{"id_number": p.IDNumber, "phone_last4": wrongLast4(p)}, nil)
		if (st == http.StatusLocked) != (i == lockedAfter) {
			t.Errorf("wrong answer %d after the rotation: status %d, want the lock at %d", i, st, lockedAfter)
		}
	}
}

// checkRetired checks that only the new key is left and that the file holds nothing
// of the old one: no value sealed under it, no keyed hash under it, no plaintext.
func (s *keyStation) checkRetired(t *testing.T, r *app.RotateReport) {
	t.Helper()
	k, err := keys.Load(filepath.Join(s.dir, "keys"))
	if err != nil {
		t.Fatal(err)
	}
	oldID := s.oldKey.DataKeyID()
	if ids := k.DataKeyIDs(); len(ids) != 1 || ids[0] == oldID || (r != nil && ids[0] != r.NewKey) {
		t.Fatalf("keys after the rotation: %v (old %s)", ids, oldID)
	}
	if _, err := os.Stat(filepath.Join(s.dir, "keys", keys.NextDataFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the rotation's key file is still there: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join(s.dir, "bingzhan.db"))
	if err != nil {
		t.Fatal(err)
	}
	backup := s.before
	oldHeader := append([]byte{2}, mustHex(t, oldID)...)
	if !bytes.Contains(backup, oldHeader) {
		t.Fatal("the file before the rotation holds no value sealed under the old key: the scan below would prove nothing")
	}
	if bytes.Contains(raw, oldHeader) {
		t.Error("the database still holds a value sealed under the old key")
	}
	// Every old ciphertext's nonce, as found in the file before, is gone from it.
	old, left := 0, 0
	for rest := backup; ; {
		i := bytes.Index(rest, oldHeader)
		if i < 0 || i+len(oldHeader)+12 > len(rest) {
			break
		}
		old++
		if bytes.Contains(raw, rest[i+len(oldHeader):i+len(oldHeader)+12]) {
			left++
		}
		rest = rest[i+1:]
	}
	if old < app.DemoPersons || left > 0 {
		t.Errorf("of %d values sealed under the old key, %d are still in the file", old, left)
	}
	for _, p := range s.people {
		oldHash := mustHex(t, s.oldKey.PersonKey(p.IDNumber))
		if !bytes.Contains(backup, oldHash) {
			t.Error("the file before the rotation holds no keyed hash under the old key: the scan below would prove nothing")
		}
		if bytes.Contains(raw, oldHash) {
			t.Errorf("the file still holds a keyed hash under the old key")
		}
		for _, secret := range []string{p.IDNumber, p.IDNumber[:17], p.Phone, p.Name, s.summary, "张小明", "本人来电核对身份"} {
			if bytes.Contains(raw, []byte(secret)) {
				t.Errorf("the file holds %q in the clear", backend.MaskIDNumber(secret))
			}
		}
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRotateDataKey(t *testing.T) {
	s := newKeyStation(t)
	var steps []string
	r, err := app.RotateDataKey(context.Background(), s.dir, app.Options{}, func(step string, n int) {
		if len(steps) == 0 || steps[len(steps)-1] != step {
			steps = append(steps, step)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(steps, " ") != "ledger registry verified" {
		t.Errorf("progress told %v", steps)
	}
	if r.Visits != len(s.visits)+1 || r.Persons != app.DemoPersons || !r.Compacted || r.NewBackup == "" || r.Backup == "" {
		t.Errorf("report: %+v", r)
	}
	if len(r.OldKeys) != 1 || r.OldKeys[0] != s.oldKey.DataKeyID() {
		t.Errorf("retired keys %v, want %s", r.OldKeys, s.oldKey.DataKeyID())
	}
	s.checkRetired(t, r)
	s.checkReadable(t, 1)

	t.Run("ErrStationRunning", func(t *testing.T) {
		m, _, _ := s.open(t)
		defer m.Close()
		_, err := app.RotateDataKey(context.Background(), s.dir, app.Options{}, nil)
		if backend.ErrorCode(err) != backend.ECONFLICT || !strings.Contains(backend.ErrorMessage(err, "en"), "Close the kiosk window") {
			t.Fatalf("rotation of a running station: %v", err)
		}
	})
	t.Run("ErrNoStation", func(t *testing.T) {
		empty := t.TempDir()
		if _, err := app.RotateDataKey(context.Background(), empty, app.Options{}, nil); backend.ErrorCode(err) != backend.ENOTFOUND {
			t.Fatalf("rotation of an empty folder: %v", err)
		}
		if _, err := os.Stat(filepath.Join(empty, "keys")); !errors.Is(err, os.ErrNotExist) {
			t.Fatal("a rotation of an empty folder made keys")
		}
	})
}

// TestRotateDataKey_Interrupted stops a rotation at each stage (ctx cancelled, as a
// Ctrl-C or a crash between two transactions would), checks that the station opens
// and serves every record, and that running the command again finishes the rotation.
func TestRotateDataKey_Interrupted(t *testing.T) {
	for _, stage := range []struct {
		name, at string
		after    int
	}{
		{"InLedger", app.StepLedger, 1},         // visits re-sealed, access log not yet
		{"InRegistry", app.StepRegistry, 1},     // half the registry copied
		{"BeforeRetiring", app.StepVerified, 1}, // all re-sealed and re-keyed, old key still there
	} {
		t.Run(stage.name, func(t *testing.T) {
			s := newKeyStation(t)
			ctx, cancel := context.WithCancel(context.Background())
			seen := 0
			_, err := app.RotateDataKey(ctx, s.dir, app.Options{}, func(step string, n int) {
				if step == stage.at {
					if seen++; seen == stage.after {
						cancel()
					}
				}
			})
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted rotation: %v", err)
			}
			k, err := keys.Load(filepath.Join(s.dir, "keys"))
			if err != nil || !k.Rotating() || k.DataKeyID() != s.oldKey.DataKeyID() {
				t.Fatalf("keys after the interruption: %v %v", k.DataKeyIDs(), err)
			}
			s.checkReadable(t, 1)

			var out bytes.Buffer
			if err := run(context.Background(), []string{"keys", "rotate", "--data", s.dir}, &out); err != nil {
				t.Fatalf("second run: %v\n%s", err, out.String())
			}
			if !strings.Contains(out.String(), "the data key is now") {
				t.Errorf("second run says:\n%s", out.String())
			}
			s.checkRetired(t, nil)
			s.checkReadable(t, 1) // still locked: the lock followed the new hash

		})
	}
}

func TestRunKeys(t *testing.T) {
	s := newKeyStation(t)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"keys", "status", "--data", s.dir}, &out); err != nil || !strings.Contains(out.String(), s.oldKey.DataKeyID()) {
		t.Fatalf("status: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"keys", "rotate", "--data", s.dir}, &out); err != nil {
		t.Fatalf("rotate: %v\n%s", err, out.String())
	}
	// The demo station books people for the rest of today: however many, they are re-sealed.
	if !regexp.MustCompile(`re-sealed 4 ledger values, \d+ bookings, 0 outreach values and 2000 registry persons`).MatchString(out.String()) {
		t.Errorf("rotate output lacks the counts re-sealed:\n%s", out.String())
	}
	for _, want := range []string{"backup made first", "old key " + s.oldKey.DataKeyID() + " is deleted", "offline key backup"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("rotate output lacks %q:\n%s", want, out.String())
		}
	}
	for _, secret := range []string{s.people[0].IDNumber, s.people[0].Name} {
		if strings.Contains(out.String(), secret) {
			t.Error("the output names a person")
		}
	}
	if err := run(context.Background(), []string{"keys", "frobnicate"}, &out); err == nil {
		t.Fatal("unknown subcommand accepted")
	}
}
