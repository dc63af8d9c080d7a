package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"bingzhan/backend"
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
	m := NewMain(dir, DefaultConfig())
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.Server.Staff.Accounts.Login(ctx, "站长", "246813"); err != nil {
		t.Fatal(err)
	}
	if cs, _ := m.Server.Staff.Counters.Counters(ctx); len(cs) != 2 {
		t.Fatalf("a fresh station has %d counters", len(cs))
	}
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
