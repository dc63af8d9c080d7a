package escpos

import (
	"fmt"

	"bingzhan/backend"
)

// Real-time status (DLE EOT n, 10 04 n). The printer answers each query with one byte
// as soon as it reads the query, even while offline, which is the point: it can tell
// us about the paper and the cover when it cannot print. Bits relied on, as in Epson's
// ESC/POS reference and the Xprinter, Gprinter and Bixolon manuals that follow it:
//
//	every answer   bits 0 and 7 are 0, bits 1 and 4 are 1 (mask 0x93 gives 0x12)
//	n = 2 offline  bit 2 (0x04) cover open
//	               bit 5 (0x20) printing stopped by paper end
//	               bit 6 (0x40) error (cutter, head temperature, ...)
//	n = 4 paper    bits 5 and 6 (0x60) together: roll paper end sensor finds no paper
//	               bits 2 and 3 (0x0C): near end; ignored, the ticket still prints
const (
	dle = 0x10
	eot = 0x04

	statusOffline = 2
	statusPaper   = 4

	statusMask  = 0x93
	statusFixed = 0x12

	offlineCover = 0x04
	offlinePaper = 0x20
	offlineError = 0x40
	paperEnd     = 0x60
)

// checkStatus asks a network printer for its offline cause, then its paper sensor,
// before the ticket is sent. Asking first, rather than after sending, matters twice:
// a ticket sent to a printer without paper waits in its buffer and comes out, for
// nobody, when staff reload the paper; and a stopped printer whose buffer is full no
// longer reads the connection, so a query sent behind the ticket would never arrive.
//
// A printer that does not answer in time, or answers with a byte that is not a status
// byte, is taken to be fine: many cheap printers ignore DLE EOT, and refusing to print
// on them would be worse than missing a fault. It returns an error wrapping a
// *backend.Error for a fault, ctx's error if ctx ended, and nil otherwise.
func (p *Printer) checkStatus(s *session) error {
	for _, n := range []byte{statusOffline, statusPaper} {
		b, ok, err := p.queryStatus(s, n)
		if err != nil || !ok {
			return err
		}
		var key string
		switch {
		case n == statusOffline && b&offlineCover != 0:
			key = "printer.cover" // first: an open cover often reads as no paper too
		case n == statusOffline && b&offlinePaper != 0:
			key = "printer.paper"
		case n == statusOffline && b&offlineError != 0:
			key = "printer.error"
		case n == statusPaper && b&paperEnd == paperEnd:
			key = "printer.paper"
		default:
			continue
		}
		return fmt.Errorf("escpos: %s answered DLE EOT %d with %#02x: %w",
			p.addr, n, b, backend.Errorf(backend.EUNAVAILABLE, key))
	}
	return nil
}

// queryStatus sends DLE EOT n and reads the answer. ok is false when the printer does
// not answer within StatusTimeout or answers with something else; err is non-nil only
// when ctx ended or the printer could not be written to at all.
func (p *Printer) queryStatus(s *session, n byte) (b byte, ok bool, err error) {
	if err := s.write([]byte{dle, eot, n}, p.opts.Timeout); err != nil {
		return 0, false, p.fail(s.ctx, "printer.offline", "query status", err)
	}
	s.deadline(s.SetReadDeadline, p.opts.StatusTimeout)
	var buf [1]byte
	_, err = s.Read(buf[:])
	if s.ctx.Err() != nil {
		return 0, false, fmt.Errorf("escpos: read status %s: %w", p.addr, s.ctx.Err())
	}
	// A read error is a silent printer's timeout or a closed connection; either way
	// sending the ticket decides, and reports a dead connection itself.
	if err != nil || buf[0]&statusMask != statusFixed {
		return 0, false, nil
	}
	return buf[0], true, nil
}
