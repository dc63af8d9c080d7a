package escpos_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/escpos"
)

func TestNew(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, addr := range []string{
			"tcp://192.0.2.10:9100",
			"tcp://192.0.2.10",
			"tcp://printer.local:9101/",
			"tcp://[2001:db8::1]:9100",
			"/dev/usb/lp0",
		} {
			if _, err := escpos.New(addr, escpos.Options{}); err != nil {
				t.Errorf("New(%q): %v", addr, err)
			}
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, addr := range []string{
			"",
			"lp0",
			"dev/usb/lp0",
			"192.0.2.10:9100",
			"tcp://",
			"tcp://:9100",
			"tcp://192.0.2.10:0",
			"tcp://192.0.2.10:65536",
			"tcp://192.0.2.10:lp",
			"tcp://192.0.2.10:9100/queue",
			"tcp://admin@192.0.2.10:9100",
			"tcp://192.0.2.10:9100?x=1",
			"http://192.0.2.10:9100",
			"usb://xprinter",
		} {
			_, err := escpos.New(addr, escpos.Options{})
			var e *backend.Error
			if !errors.As(err, &e) || e.Code != backend.EINVALID || e.Key != "printer.address" ||
				len(e.Args) != 1 || e.Args[0] != addr {
				t.Errorf("New(%q): err = %#v, want EINVALID printer.address with the address", addr, err)
			}
		}
	})

	t.Run("ErrWidth", func(t *testing.T) {
		if _, err := escpos.New("tcp://192.0.2.10", escpos.Options{Width: 500}); err == nil {
			t.Error("width 500 accepted")
		}
	})
}

func TestPrinter_Print(t *testing.T) {
	query := func(n byte) []byte { return []byte{0x10, 0x04, n} }
	job, _ := MustJob(t)
	ticket := MustEncode(t, job, escpos.Options{})

	// Status answers as the ESC/POS reference gives them: 0x12 is "all clear" (the
	// fixed bits alone), to which fault bits are added.
	for _, tt := range []struct {
		name    string
		answers map[byte]byte // DLE EOT n → answer; a missing n is not answered
		asked   []byte        // the n of the queries Print should send
		key     string        // the error's message key; "" when the ticket prints
	}{
		{"Silent", nil, []byte{2}, ""},
		{"Ready", map[byte]byte{2: 0x12, 4: 0x12}, []byte{2, 4}, ""},
		{"PaperNearEnd", map[byte]byte{2: 0x12, 4: 0x12 | 0x0c}, []byte{2, 4}, ""},
		{"AnswersOnlyOffline", map[byte]byte{2: 0x12}, []byte{2, 4}, ""},
		{"NotAStatusByte", map[byte]byte{2: 0xff, 4: 0x72}, []byte{2}, ""},
		{"PaperEnd", map[byte]byte{2: 0x12, 4: 0x12 | 0x60}, []byte{2, 4}, "printer.paper"},
		{"StoppedByPaperEnd", map[byte]byte{2: 0x12 | 0x20, 4: 0x12}, []byte{2}, "printer.paper"},
		{"CoverOpen", map[byte]byte{2: 0x12 | 0x04, 4: 0x12 | 0x60}, []byte{2}, "printer.cover"},
		{"Error", map[byte]byte{2: 0x12 | 0x40, 4: 0x12}, []byte{2}, "printer.error"},
	} {
		t.Run("TCP/"+tt.name, func(t *testing.T) {
			fp := newfakePrinter(t, tt.answers)
			p := MustNew(t, fp.Addr(), escpos.Options{StatusTimeout: 100 * time.Millisecond})
			err := p.Print(context.Background(), job)
			if tt.key == "" && err != nil {
				t.Fatalf("Print: %v", err)
			} else if tt.key != "" {
				assertError(t, err, backend.EUNAVAILABLE, tt.key)
			}

			var want []byte
			for _, n := range tt.asked {
				want = append(want, query(n)...)
			}
			if tt.key == "" {
				want = append(want, ticket...) // a fault keeps the ticket back
			}
			if got := fp.Received(t); !bytes.Equal(got, want) {
				t.Errorf("printer received %d bytes starting % x, want %d starting % x",
					len(got), got[:min(len(got), 12)], len(want), want[:min(len(want), 12)])
			}
		})
	}

	t.Run("TCP/StatusOff", func(t *testing.T) {
		fp := newfakePrinter(t, map[byte]byte{4: 0x72})
		p := MustNew(t, fp.Addr(), escpos.Options{StatusTimeout: -1})
		if err := p.Print(context.Background(), job); err != nil {
			t.Fatal(err)
		}
		if got := fp.Received(t); !bytes.Equal(got, ticket) {
			t.Errorf("received %d bytes, want exactly the ticket's %d", len(got), len(ticket))
		}
	})

	t.Run("TCP/DefaultPort", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:9100")
		if err != nil {
			t.Skipf("port 9100 busy: %v", err)
		}
		fp := servefakePrinter(t, ln, nil)
		p := MustNew(t, "tcp://127.0.0.1", escpos.Options{StatusTimeout: -1})
		if err := p.Print(context.Background(), job); err != nil {
			t.Fatal(err)
		}
		if got := fp.Received(t); !bytes.Equal(got, ticket) {
			t.Errorf("received %d bytes, want %d", len(got), len(ticket))
		}
	})

	t.Run("TCP/ErrOffline", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := "tcp://" + ln.Addr().String()
		ln.Close() // nothing listens there now: connection refused
		p := MustNew(t, addr, escpos.Options{})
		assertError(t, p.Print(context.Background(), job), backend.EUNAVAILABLE, "printer.offline")
	})

	t.Run("TCP/CancelledBefore", func(t *testing.T) {
		fp := newfakePrinter(t, nil)
		p := MustNew(t, fp.Addr(), escpos.Options{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := p.Print(ctx, job); !errors.Is(err, context.Canceled) {
			t.Fatalf("Print: %v, want context.Canceled", err)
		}
		if fp.Connected(100 * time.Millisecond) {
			t.Error("printer contacted after ctx was cancelled")
		}
	})

	t.Run("TCP/CancelledWhileWaiting", func(t *testing.T) {
		fp := newfakePrinter(t, nil) // never answers: Print waits for StatusTimeout
		p := MustNew(t, fp.Addr(), escpos.Options{StatusTimeout: time.Minute})
		ctx, cancel := context.WithCancel(context.Background())
		// Cancel once Print is waiting for the answer: not after a fixed delay, which a
		// busy machine may spend before Print has even connected.
		go func() {
			select {
			case <-fp.queried:
				cancel()
			case <-time.After(10 * time.Second):
			}
		}()
		start := time.Now()
		if err := p.Print(ctx, job); !errors.Is(err, context.Canceled) {
			t.Fatalf("Print: %v, want context.Canceled", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Print returned %v after it was cancelled", d)
		}
		if got := fp.Received(t); !bytes.Equal(got, query(2)) {
			t.Errorf("received % x…, want only the status query", got[:min(len(got), 12)])
		}
	})

	t.Run("Device", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "lp0")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		p := MustNew(t, path, escpos.Options{})
		for range 2 {
			if err := p.Print(context.Background(), job); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, append(append([]byte{}, ticket...), ticket...)) {
			t.Errorf("device holds %d bytes, want two tickets of %d", len(got), len(ticket))
		}
	})

	t.Run("Device/ErrOffline", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "lp0") // unplugged: the node is gone
		p := MustNew(t, path, escpos.Options{})
		assertError(t, p.Print(context.Background(), job), backend.EUNAVAILABLE, "printer.offline")
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Print created %s: %v", path, err)
		}
	})

	t.Run("Device/CancelledBefore", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "lp0")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		p := MustNew(t, path, escpos.Options{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := p.Print(ctx, job); !errors.Is(err, context.Canceled) {
			t.Fatalf("Print: %v, want context.Canceled", err)
		}
		if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
			t.Errorf("device written after cancel: %v, %v", fi, err)
		}
	})
}

func MustNew(tb testing.TB, addr string, opts escpos.Options) *escpos.Printer {
	tb.Helper()
	p, err := escpos.New(addr, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// assertError fails tb unless err is (or wraps) a *backend.Error with code and key.
func assertError(tb testing.TB, err error, code, key string) {
	tb.Helper()
	var e *backend.Error
	if !errors.As(err, &e) || e.Code != code || e.Key != key {
		tb.Fatalf("err = %v, want %s %s", err, code, key)
	}
}

// fakePrinter is a network printer on 127.0.0.1 that records what each connection
// sends and answers DLE EOT n with a chosen status byte, as a real one does on receipt.
type fakePrinter struct {
	ln       net.Listener
	answers  map[byte]byte
	accepted chan struct{}
	queried  chan struct{} // a status query arrived
	received chan []byte
}

func newfakePrinter(tb testing.TB, answers map[byte]byte) *fakePrinter {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	return servefakePrinter(tb, ln, answers)
}

func servefakePrinter(tb testing.TB, ln net.Listener, answers map[byte]byte) *fakePrinter {
	fp := &fakePrinter{ln: ln, answers: answers, accepted: make(chan struct{}, 8), queried: make(chan struct{}, 8), received: make(chan []byte, 8)}
	tb.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			fp.accepted <- struct{}{}
			go fp.serve(c)
		}
	}()
	return fp
}

// serve reads until the client closes, answering each DLE EOT n seen in the stream.
// The scan is exact because a ticket stream never contains DLE EOT (TestEncode checks).
func (fp *fakePrinter) serve(c net.Conn) {
	defer c.Close()
	var all []byte
	buf := make([]byte, 4096)
	scanned := 0
	for {
		n, err := c.Read(buf)
		all = append(all, buf[:n]...)
		for ; scanned+2 < len(all); scanned++ {
			if all[scanned] == 0x10 && all[scanned+1] == 0x04 {
				select {
				case fp.queried <- struct{}{}:
				default:
				}
				if b, ok := fp.answers[all[scanned+2]]; ok {
					c.Write([]byte{b})
				}
				scanned += 2
			}
		}
		if err != nil {
			break
		}
	}
	fp.received <- all
}

func (fp *fakePrinter) Addr() string { return "tcp://" + fp.ln.Addr().String() }

// Received returns what the next connection sent, once the client has closed it.
func (fp *fakePrinter) Received(tb testing.TB) []byte {
	tb.Helper()
	select {
	case b := <-fp.received:
		return b
	case <-time.After(10 * time.Second):
		tb.Fatal("printer received nothing")
		return nil
	}
}

// Connected reports whether a client connects within d.
func (fp *fakePrinter) Connected(d time.Duration) bool {
	select {
	case <-fp.accepted:
		return true
	case <-time.After(d):
		return false
	}
}
