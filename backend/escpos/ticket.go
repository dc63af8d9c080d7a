package escpos

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"bingzhan/backend"
)

// Command bytes. Only commands that Epson's ESC/POS and its Chinese clones share are
// used, so one byte stream serves every printer the stations are likely to have.
const (
	esc = 0x1b
	fs  = 0x1c
	gs  = 0x1d
)

// Character cell of font A, the default: ASCII is 12 dots wide, Chinese 24.
const (
	asciiDots = 12
	hanziDots = 24
)

// numberMag is the magnification of the ticket number: ×4 makes digits 12 mm tall,
// readable at arm's length by someone with poor sight, while the ×8 maximum would
// spend 24 mm of paper and overflow a 58 mm roll with a five-character number.
const numberMag = 4

// Encode returns the ESC/POS byte stream that prints job as one ticket on paper opts
// describes: station, service in Chinese and English, the number in large bold type, a
// priority mark, the queue ahead, the time of issue, the QR code as a raster image,
// a reminder, and a cut. Text is sent in GB18030, the encoding Chinese printers are
// required to support; control characters in job text are replaced by spaces so that
// text can never act as a command. A nil QR is left out rather than refused: a ticket
// with a number still serves. Encode fails only for bad Options, or if text cannot be
// encoded, which GB18030's coverage of all Unicode rules out.
func Encode(job backend.PrintJob, opts Options) ([]byte, error) {
	opts, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	t := ticket{width: opts.Width}

	t.cmd(esc, '@', fs, '&') // forget any earlier settings; Chinese (double-byte) mode
	t.cmd(esc, 'a', 1)       // centre every line

	t.cmd(esc, 'E', 1)
	t.line(clean(job.StationName), 1, 2)
	t.cmd(esc, 'E', 0)
	t.line(strings.Repeat("-", opts.Width/asciiDots), 1, 1)

	zh := clean(job.ServiceNameZH)
	m := t.fit(zh, 2)
	t.line(zh, m, m)
	if en := clean(job.ServiceNameEN); en != "" {
		t.line(en, 1, 1)
	}
	t.feed(1)

	t.cmd(esc, 'E', 1)
	num := clean(job.Number)
	m = t.fit(num, numberMag)
	t.line(num, m, m)
	t.cmd(esc, 'E', 0)

	if job.Priority {
		t.cmd(gs, 'B', 1) // white on black, so staff see it across the counter
		t.line(" 优先 ", 2, 2)
		t.cmd(gs, 'B', 0)
	}
	t.feed(1)

	t.line(fmt.Sprintf("前面还有 %d 人", max(job.Ahead, 0)), 1, 1)
	if job.EstimatedWait > 0 {
		t.line(fmt.Sprintf("预计等待约 %d 分钟", minutes(job.EstimatedWait)), 1, 1)
	}
	if !job.IssuedAt.IsZero() {
		t.line(job.IssuedAt.Format("2006-01-02 15:04"), 1, 1)
	}

	if job.QR != nil {
		if r := newRaster(job.QR, opts.Width); r.height > 0 {
			t.feed(1)
			t.raster(r)
		}
	}
	t.line("请留意叫号 · 过号请到窗口", 1, 1)

	// Feed before cutting as well as asking the cutter to feed: Epson's GS V 66 feeds
	// to the cutter by itself, but several clones cut where the paper stands, which
	// would cut through the last line. Without a cutter GS V 66 only feeds to the
	// tear bar, so it is sent to 58 mm printers too.
	t.cmd(esc, 'd', 3)
	if !opts.NoCut {
		t.cmd(gs, 'V', 66, 0)
	}
	if t.err != nil {
		return nil, fmt.Errorf("escpos: encode ticket %s: %w", job.Number, t.err)
	}
	return t.buf, nil
}

// ticket accumulates the byte stream of one ticket.
type ticket struct {
	buf   []byte
	width int
	err   error // the first text that failed to encode
}

func (t *ticket) cmd(b ...byte) { t.buf = append(t.buf, b...) }

func (t *ticket) feed(lines int) { t.cmd(esc, 'd', byte(lines)) }

// line prints s, which must be clean, on a line of its own, magnified w times in width and h in height, and
// returns to normal size. The size is set twice: FS ! for Chinese characters on the
// clones that ignore GS ! for them (it knows only ×2), then GS !, which Epson applies
// to all characters and which wins there because it comes last.
func (t *ticket) line(s string, w, h int) {
	if s == "" {
		return
	}
	var fsMode byte
	if w > 1 {
		fsMode |= 0x04
	}
	if h > 1 {
		fsMode |= 0x08
	}
	t.cmd(fs, '!', fsMode, gs, '!', byte((w-1)<<4|(h-1)))
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil && t.err == nil {
		t.err = fmt.Errorf("%q: %w", s, err)
	}
	t.buf = append(t.buf, b...)
	t.cmd('\n', fs, '!', 0, gs, '!', 0)
}

// fit returns the largest magnification up to maxMag at which s fits on one line, so
// a long service name shrinks rather than breaks in the middle of a word.
func (t *ticket) fit(s string, maxMag int) int {
	dots := 0
	for _, r := range s {
		if r < utf8.RuneSelf {
			dots += asciiDots
		} else {
			dots += hanziDots
		}
	}
	m := maxMag
	for m > 1 && dots*m > t.width {
		m--
	}
	return m
}

// raster prints r with GS v 0 (1D 76 30 m xL xH yL yH d1...dk): m = 0 is normal
// density, x the bytes per row, y the rows, then the rows top to bottom, the most
// significant bit of each byte the leftmost dot, 1 for black. It follows a line feed,
// because some printers take GS v 0 only at the start of a line.
func (t *ticket) raster(r raster) {
	x, y := r.rowBytes, r.height
	t.cmd(gs, 'v', '0', 0, byte(x), byte(x>>8), byte(y), byte(y>>8))
	t.buf = append(t.buf, r.data...)
}

// clean makes job text safe to send: invalid UTF-8 becomes "?", and control characters,
// which could otherwise start a printer command, become spaces. GB18030 covers all of
// Unicode, so the encoder then cannot fail; a character outside the printer's font
// prints as the printer's blank or box, its best effort and ours.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// minutes rounds d to whole minutes for a person: at least 1, since "about 0 minutes"
// reads as "now" and there is still a queue.
func minutes(d time.Duration) int {
	return max(int((d+30*time.Second)/time.Minute), 1)
}
