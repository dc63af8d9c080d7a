// Package escpos prints Bingzhan's paper tickets on ESC/POS thermal receipt printers,
// the 58 mm and 80 mm kind sold under Xprinter, Gprinter, Epson TM-T82 and many other
// names, reached over raw TCP (port 9100) or through a device file such as /dev/usb/lp0.
package escpos

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"bingzhan/backend"
)

// Paper widths in dots at the usual 203 dpi (8 dots per mm), for Options.Width.
const (
	Width58mm = 384
	Width80mm = 576
)

const (
	defaultPort          = "9100"
	defaultTimeout       = 3 * time.Second
	defaultStatusTimeout = 500 * time.Millisecond
)

// Options tunes a Printer. The zero value suits an 80 mm printer on a local network.
type Options struct {
	// Width is the printable width in dots: Width58mm, Width80mm or another multiple of
	// 8 between 128 and 1024. Zero means Width80mm.
	Width int

	// Timeout bounds connecting to the printer and, separately, sending one ticket.
	// Zero means 3 s.
	Timeout time.Duration

	// StatusTimeout bounds the wait for a network printer's answer to each status
	// query. Zero means 500 ms; a negative value means never ask, so that a printer
	// known not to answer starts each ticket without that wait.
	StatusTimeout time.Duration

	// NoCut leaves out the cut at the end of the ticket, for printers whose cutter
	// is missing or faulty and which misbehave when asked to cut.
	NoCut bool
}

// normalize fills in defaults and checks the width, which every later step relies on:
// raster rows are whole bytes and the QR must fit beside its margins.
func (o Options) normalize() (Options, error) {
	if o.Width == 0 {
		o.Width = Width80mm
	}
	if o.Width%8 != 0 || o.Width < 128 || o.Width > 1024 {
		return o, fmt.Errorf("escpos: paper width %d dots: want a multiple of 8 between 128 and 1024", o.Width)
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	if o.StatusTimeout == 0 {
		o.StatusTimeout = defaultStatusTimeout
	}
	return o, nil
}

// Printer is an ESC/POS ticket printer. It implements backend.Printer and is safe for
// concurrent use: tickets are printed one at a time, so two never interleave on paper.
//
// A Printer holds no connection between tickets. Each Print connects (or opens the
// device) afresh, because network printers often accept one client at a time and
// forget a connection when switched off, and a USB device node disappears while the
// printer is unplugged: a printer switched on after the station starts simply works.
type Printer struct {
	addr   string // as configured, for messages
	tcp    string // host:port of a network printer, or ""
	device string // path of a device file, or ""
	opts   Options
	turn   chan struct{} // holds one token while a ticket is printing
}

var _ backend.Printer = (*Printer)(nil)

// New returns a Printer for addr, which is either tcp://host[:port] for a network
// printer (port 9100 if omitted) or an absolute device path such as /dev/usb/lp0.
// New does no I/O. It returns EINVALID (printer.address) for an address it cannot
// parse; a bad Options.Width is an internal (configuration) error.
func New(addr string, opts Options) (*Printer, error) {
	opts, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	p := &Printer{addr: addr, opts: opts, turn: make(chan struct{}, 1)}
	if p.tcp, p.device, err = parseAddr(addr); err != nil {
		return nil, err
	}
	return p, nil
}

// parseAddr splits addr into a TCP host:port or a device path. A relative path is
// refused because it would depend on the directory the station was started from.
func parseAddr(addr string) (hostport, device string, err error) {
	bad := backend.Errorf(backend.EINVALID, "printer.address", addr)
	if filepath.IsAbs(addr) {
		return "", filepath.Clean(addr), nil
	}
	u, err := url.Parse(addr)
	if err != nil || u.Scheme != "tcp" || u.Hostname() == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", "", bad
	}
	port := u.Port()
	if port == "" {
		port = defaultPort
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", "", bad
	}
	return net.JoinHostPort(u.Hostname(), port), "", nil
}

// Print prints job as one ticket. It returns EUNAVAILABLE with printer.offline when the
// printer cannot be reached, printer.paper or printer.cover when a network printer
// reports no paper or an open cover (the ticket is then not sent, so it cannot come
// out later for nobody), and printer.error when sending fails part-way. If ctx ends
// first, Print stops and returns ctx's error.
//
// Print returns once the ticket is handed to the operating system: a printer that does
// not answer status queries cannot tell whether the paper actually came out.
func (p *Printer) Print(ctx context.Context, job backend.PrintJob) error {
	data, err := Encode(job, p.opts)
	if err != nil {
		return err
	}
	select {
	case p.turn <- struct{}{}:
		defer func() { <-p.turn }()
	case <-ctx.Done():
		return fmt.Errorf("escpos: print to %s: %w", p.addr, ctx.Err())
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("escpos: print to %s: %w", p.addr, err)
	}
	if p.tcp != "" {
		return p.printTCP(ctx, data)
	}
	return p.printDevice(ctx, data)
}

func (p *Printer) printTCP(ctx context.Context, data []byte) error {
	d := net.Dialer{Timeout: p.opts.Timeout}
	c, err := d.DialContext(ctx, "tcp", p.tcp)
	if err != nil {
		return p.fail(ctx, "printer.offline", "connect", err)
	}
	s := newSession(ctx, c)
	defer s.Close()

	if p.opts.StatusTimeout > 0 {
		if err := p.checkStatus(s); err != nil {
			return err
		}
	}
	if err := s.write(data, p.opts.Timeout); err != nil {
		return p.fail(ctx, "printer.error", "send ticket", err)
	}
	return nil
}

// printDevice writes the ticket to a device file. It opens without O_CREATE: when a
// USB printer is unplugged its node is gone, and creating a plain file in its place
// would swallow every later ticket in silence and shadow the device when it returns.
// A regular file (a capture for testing or diagnosis) must therefore exist already;
// it is written at its end so successive tickets accumulate rather than overwrite.
// The seek is used instead of O_APPEND because append mode is a file concept that
// some device drivers, and Windows ports, refuse.
func (p *Printer) printDevice(ctx context.Context, data []byte) error {
	f, err := os.OpenFile(p.device, os.O_WRONLY, 0)
	if err != nil {
		return p.fail(ctx, "printer.offline", "open", err)
	}
	s := newSession(ctx, f)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		_, err = f.Seek(0, io.SeekEnd)
		if err != nil {
			s.Close()
			return p.fail(ctx, "printer.error", "seek", err)
		}
	}
	err = s.write(data, p.opts.Timeout)
	// A device driver may report a failed transfer only when the file is closed.
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return p.fail(ctx, "printer.error", "send ticket", err)
	}
	return nil
}

// fail wraps the I/O error err both with context for the log and with the *backend.Error
// a person sees, unless ctx ended, which is the caller's doing and not the printer's.
func (p *Printer) fail(ctx context.Context, key, op string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("escpos: %s %s: %w", op, p.addr, ctx.Err())
	}
	return fmt.Errorf("escpos: %s %s: %w: %w", op, p.addr, err, backend.Errorf(backend.EUNAVAILABLE, key))
}

// port is what a ticket is written to: a TCP connection or a device file.
type port interface {
	io.ReadWriteCloser
	SetDeadline(time.Time) error
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

// session is one ticket's use of a port. Its deadlines give way to ctx: once ctx ends,
// every deadline is in the past, so a blocked read or write returns at once, and no
// later call can move a deadline back into the future.
type session struct {
	port
	ctx   context.Context
	stop  func() bool
	mu    sync.Mutex
	ended bool
}

func newSession(ctx context.Context, p port) *session {
	s := &session{port: p, ctx: ctx}
	s.stop = context.AfterFunc(ctx, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.ended = true
		_ = s.port.SetDeadline(time.Unix(1, 0)) // see deadline for why errors are ignored
	})
	return s
}

// deadline sets a deadline d from now with set, or in the past if ctx has ended. Its
// error is ignored on purpose: only ports without deadline support fail here, regular
// files and old drivers without poll (such as the parallel-port lp), whose writes the
// kernel bounds instead.
func (s *session) deadline(set func(time.Time) error, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := time.Now().Add(d)
	if s.ended {
		t = time.Unix(1, 0)
	}
	_ = set(t)
}

func (s *session) write(b []byte, timeout time.Duration) error {
	s.deadline(s.SetWriteDeadline, timeout)
	_, err := s.Write(b)
	return err
}

func (s *session) Close() error {
	s.stop()
	return s.port.Close()
}
