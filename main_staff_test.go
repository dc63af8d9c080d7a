package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"bingzhan/backend"
	"bingzhan/backend/app"
	"bingzhan/backend/bolt"
)

func TestRunStaff(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(ctx, []string{"staff", "add", "--data", dir, "--name", "站长", "--role", "admin", "--pin", "975310"}, &out); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"staff", "add", "--data", dir, "--name", "站长", "--pin", "975310"}, &out); backend.ErrorCode(err) != backend.ECONFLICT {
		t.Fatalf("duplicate: %v", err)
	}
	if err := run(ctx, []string{"staff", "add", "--data", dir, "--name", "王芳", "--pin", "123456"}, &out); backend.ErrorCode(err) != backend.EINVALID {
		t.Fatalf("weak PIN: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"staff", "list", "--data", dir}, &out); err != nil || !strings.Contains(out.String(), "站长") || !strings.Contains(out.String(), "admin") {
		t.Fatalf("list: %v\n%s", err, out.String())
	}
	if err := run(ctx, []string{"staff", "reset-pin", "--data", dir, "--name", "站长", "--pin", "246813"}, &out); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"staff", "frobnicate"}, &out); err == nil {
		t.Fatal("unknown subcommand accepted")
	}

	// The station logs in with the account the command made.
	m, err := app.Open(ctx, dir, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.Accounts.Login(ctx, "站长", "246813"); err != nil {
		t.Fatal(err)
	}
	if cs, _ := m.Counters.Counters(ctx); len(cs) != 2 {
		t.Fatalf("a fresh station has %d counters", len(cs))
	}
}

func TestRunStaff_Manage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var out bytes.Buffer
	for _, a := range [][]string{{"站长", "admin"}, {"王芳", "staff"}} {
		if err := run(ctx, []string{"staff", "add", "--data", dir, "--name", a[0], "--role", a[1], "--pin", "975310"}, &out); err != nil {
			t.Fatal(err)
		}
	}
	lockOut := func(name string) {
		t.Helper()
		db, accounts := openAccounts(t, dir)
		defer db.Close()
		for i := 0; i < backend.MaxPINFailures; i++ {
			accounts.Login(ctx, name, "000001")
		}
	}
	lockOut("王芳")

	for _, tc := range []struct {
		name string
		args []string
		code string // error code, "" for success
		out  string // in the output on success
	}{
		{"Unlock", []string{"unlock", "--name", "王芳"}, "", "unlocked"},
		{"UnlockUnknown", []string{"unlock", "--name", "nobody"}, backend.ENOTFOUND, ""},
		{"UnlockNoName", []string{"unlock"}, "usage", ""},
		{"SetRoleNeedsRole", []string{"set-role", "--name", "王芳"}, "usage", ""},
		{"SetRoleBad", []string{"set-role", "--name", "王芳", "--role", "boss"}, backend.EINVALID, ""},
		{"DemoteLastAdmin", []string{"set-role", "--name", "站长", "--role", "staff"}, backend.ECONFLICT, ""},
		{"RemoveLastAdmin", []string{"remove", "--name", "站长"}, backend.ECONFLICT, ""},
		{"Promote", []string{"set-role", "--name", "王芳", "--role", "admin"}, "", "admin"},
		{"RemoveFormerOnlyAdmin", []string{"remove", "--name", "站长"}, "", "removed 站长"},
		{"RemoveUnknown", []string{"remove", "--name", "站长"}, backend.ENOTFOUND, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out.Reset()
			err := run(ctx, append(append([]string{"staff"}, tc.args...), "--data", dir), &out)
			switch {
			case tc.code == "usage":
				if err == nil || !strings.Contains(err.Error(), "usage") {
					t.Fatalf("want usage, got %v", err)
				}
			case tc.code != "":
				if backend.ErrorCode(err) != tc.code {
					t.Fatalf("want %s, got %v", tc.code, err)
				}
			case err != nil || !strings.Contains(out.String(), tc.out):
				t.Fatalf("%v\n%s", err, out.String())
			}
		})
	}

	// What the commands did is what the station sees: 王芳 is the one admin, and her
	// lock is gone.
	db, accounts := openAccounts(t, dir)
	defer db.Close()
	list, err := accounts.ListStaff(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "王芳" || list[0].Role != backend.RoleAdmin {
		t.Fatalf("%+v %v", list, err)
	}
	if _, err := accounts.Login(ctx, "王芳", "975310"); err != nil {
		t.Fatal(err)
	}
}

// openAccounts opens the data folder's database as the staff commands do.
func openAccounts(t *testing.T, dir string) (*bolt.DB, *bolt.StaffService) {
	t.Helper()
	db := bolt.NewDB(dir)
	db.Logger = slog.New(slog.DiscardHandler)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	return db, bolt.NewStaffService(db)
}

func TestReadPINLines(t *testing.T) {
	if pin, err := readPINLines(strings.NewReader("240816\n240816\n")); err != nil || pin != "240816" {
		t.Fatalf("%q %v", pin, err)
	}
	for _, in := range []string{"240816\n240817\n", "240816\n", ""} {
		if _, err := readPINLines(strings.NewReader(in)); backend.ErrorCode(err) != backend.EINVALID {
			t.Errorf("%q: %v", in, err)
		}
	}
}
