package escpos_test

import (
	"bytes"
	"image"
	"image/color"
	"testing"
	"time"

	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/text/encoding/simplifiedchinese"

	"bingzhan/backend"
	"bingzhan/backend/escpos"
)

func TestEncode(t *testing.T) {
	t.Run("Layout", func(t *testing.T) {
		job, _ := MustJob(t)
		b := MustEncode(t, job, escpos.Options{})

		if !bytes.HasPrefix(b, []byte{0x1b, '@'}) {
			t.Fatalf("stream starts % x, want ESC @", b[:min(len(b), 8)])
		}
		text := b[:rasterAt(t, b)] // raster bytes are arbitrary: look for text before them
		for _, want := range [][]byte{
			{0x1c, '&'}, // Chinese mode, before any Chinese text
			gb18030(t, job.StationName),
			gb18030(t, job.ServiceNameZH),
			[]byte(job.ServiceNameEN),
			gb18030(t, "前面还有 3 人"),
			gb18030(t, "预计等待约 12 分钟"),
			[]byte("2026-11-23 09:14"),
		} {
			if !bytes.Contains(text, want) {
				t.Errorf("stream lacks % x", want)
			}
		}
		if i, j := bytes.Index(b, []byte{0x1c, '&'}), bytes.Index(b, gb18030(t, job.StationName)); i > j {
			t.Errorf("Chinese mode (at %d) set after the first Chinese text (at %d)", i, j)
		}
		if !bytes.Contains(b[rasterAt(t, b):], gb18030(t, "请留意叫号 · 过号请到窗口")) {
			t.Error("reminder missing after the QR")
		}
		if bytes.Contains(b, gb18030(t, "优先")) {
			t.Error("priority mark on a ticket without priority")
		}
		if !bytes.HasSuffix(b, []byte{0x1d, 'V', 66, 0}) {
			t.Errorf("stream ends % x, want GS V 66 0 (feed and partial cut)", b[len(b)-4:])
		}
		// A printer that executes real-time commands inside image data would answer a
		// stray DLE EOT; a clean stream keeps the conversation unambiguous.
		if bytes.Contains(b, []byte{0x10, 0x04}) {
			t.Error("stream contains DLE EOT")
		}
	})

	t.Run("NumberLarge", func(t *testing.T) {
		for _, width := range []int{escpos.Width58mm, escpos.Width80mm} {
			job, _ := MustJob(t)
			b := MustEncode(t, job, escpos.Options{Width: width})
			text := b[:rasterAt(t, b)]
			i := bytes.Index(text, []byte(job.Number))
			if i < 0 {
				t.Fatalf("width %d: number %q not in stream", width, job.Number)
			}
			size := bytes.LastIndex(text[:i], []byte{0x1d, '!'})
			if size < 0 {
				t.Fatalf("width %d: no GS ! before the number", width)
			}
			n := text[size+2]
			if w, h := int(n>>4)+1, int(n&7)+1; w < 4 || h < 4 {
				t.Errorf("width %d: number printed at ×%d wide ×%d high, want ≥ ×4", width, w, h)
			}
			if bold := bytes.LastIndex(text[:i], []byte{0x1b, 'E'}); bold < 0 || text[bold+2] != 1 {
				t.Errorf("width %d: number not bold", width)
			}
		}
	})

	t.Run("LongNumberFits", func(t *testing.T) {
		job, _ := MustJob(t)
		job.Number = "B01234567" // 9 characters × 12 dots × 4 would overflow 384 dots
		b := MustEncode(t, job, escpos.Options{Width: escpos.Width58mm})
		i := bytes.Index(b, []byte(job.Number))
		n := b[bytes.LastIndex(b[:i], []byte{0x1d, '!'})+2]
		if w := int(n>>4) + 1; w*12*len(job.Number) > escpos.Width58mm {
			t.Errorf("number ×%d is %d dots wide, paper %d", w, w*12*len(job.Number), escpos.Width58mm)
		}
	})

	t.Run("Priority", func(t *testing.T) {
		job, _ := MustJob(t)
		job.Priority = true
		b := MustEncode(t, job, escpos.Options{})
		mark := []byte{0x1d, 'B', 1}
		i := bytes.Index(b, gb18030(t, " 优先 ")) // padded, so the black band frames it
		if i < 0 {
			t.Fatal("priority mark missing")
		}
		if j := bytes.LastIndex(b[:i], mark); j < 0 || bytes.Contains(b[j:i], []byte{0x1d, 'B', 0}) {
			t.Error("priority mark not in reverse (white on black)")
		}
	})

	t.Run("QRRaster", func(t *testing.T) {
		for _, width := range []int{escpos.Width58mm, escpos.Width80mm} {
			job, modules := MustJob(t)
			b := MustEncode(t, job, escpos.Options{Width: width})
			r := decodeRaster(t, b)
			if r.W != width {
				t.Fatalf("raster %d dots wide, want the paper's %d", r.W, width)
			}

			// Scale factor from the black bounding boxes, then every module centre.
			src := blackBox(len(modules), len(modules), func(x, y int) bool { return modules[y][x] })
			dst := blackBox(r.W, r.H, r.Black)
			k := dst.Dx() / src.Dx()
			if k < 1 || dst.Dx() != k*src.Dx() || dst.Dy() != k*src.Dy() {
				t.Fatalf("width %d: symbol %v scaled to %v: not a whole factor", width, src, dst)
			}
			if n := len(modules) * k; n < width/2 || n > width*65/100 {
				t.Errorf("width %d: QR %d dots wide, want about 60%% of the paper", width, n)
			}
			if l, rt := dst.Min.X, r.W-dst.Max.X; l-rt > 1 || rt-l > 1 {
				t.Errorf("width %d: QR not centred: %d dots left, %d right", width, l, rt)
			}
			for my := range modules {
				for mx := range modules[my] {
					x := dst.Min.X + (mx-src.Min.X)*k + k/2
					y := dst.Min.Y + (my-src.Min.Y)*k + k/2
					if r.Black(x, y) != modules[my][mx] {
						t.Fatalf("width %d: module (%d,%d) black=%v, raster dot (%d,%d) black=%v",
							width, mx, my, modules[my][mx], x, y, r.Black(x, y))
					}
				}
			}
		}
	})

	t.Run("LargeImageScaledDown", func(t *testing.T) {
		// A 9×9 checkerboard of 111 px cells, much larger than a 58 mm roll.
		const cells, cell = 9, 111
		img := image.NewGray(image.Rect(0, 0, cells*cell, cells*cell))
		for y := range cells * cell {
			for x := range cells * cell {
				if (x/cell+y/cell)%2 == 0 {
					img.SetGray(x, y, color.Gray{0})
				} else {
					img.SetGray(x, y, color.Gray{255})
				}
			}
		}
		job, _ := MustJob(t)
		job.QR = img
		r := decodeRaster(t, MustEncode(t, job, escpos.Options{Width: escpos.Width58mm}))
		box := blackBox(r.W, r.H, r.Black)
		if box.Dx() > escpos.Width58mm*65/100 || box.Dx() < escpos.Width58mm/2 {
			t.Errorf("image scaled to %d dots, want about 60%% of %d", box.Dx(), escpos.Width58mm)
		}
		for cy := range cells {
			for cx := range cells {
				x := box.Min.X + (2*cx+1)*box.Dx()/(2*cells)
				y := box.Min.Y + (2*cy+1)*box.Dy()/(2*cells)
				if want := (cx+cy)%2 == 0; r.Black(x, y) != want {
					t.Errorf("cell (%d,%d): black=%v, want %v", cx, cy, !want, want)
				}
			}
		}
	})

	t.Run("NoCut", func(t *testing.T) {
		job, _ := MustJob(t)
		b := MustEncode(t, job, escpos.Options{NoCut: true})
		if bytes.Contains(b[rasterEnd(t, b):], []byte{0x1d, 'V'}) {
			t.Error("cut sent with NoCut")
		}
	})

	t.Run("NoQR", func(t *testing.T) {
		job, _ := MustJob(t)
		job.QR = nil
		b := MustEncode(t, job, escpos.Options{})
		if bytes.Contains(b, []byte{0x1d, 'v', '0'}) {
			t.Error("raster sent without a QR")
		}
		if !bytes.Contains(b, []byte(job.Number)) {
			t.Error("number missing")
		}
	})

	t.Run("ControlCharacters", func(t *testing.T) {
		job, _ := MustJob(t)
		job.StationName = "兵站\x1b@\x10\x04\x02\n\x1dV\x00"
		job.ServiceNameEN = "Pensions\x1bd\xff"
		b := MustEncode(t, job, escpos.Options{})
		if n := bytes.Count(b, []byte{0x1b, '@'}); n != 1 {
			t.Errorf("ESC @ appears %d times, want once: job text became a command", n)
		}
		if bytes.Contains(b, []byte{0x10, 0x04}) {
			t.Error("DLE EOT from job text reached the stream")
		}
		if bytes.Count(b, []byte{0x1d, 'V'}) != 1 {
			t.Error("GS V from job text reached the stream")
		}
	})

	t.Run("BadWidth", func(t *testing.T) {
		job, _ := MustJob(t)
		for _, w := range []int{-8, 100, 385, 2048} {
			if _, err := escpos.Encode(job, escpos.Options{Width: w}); err == nil {
				t.Errorf("width %d: no error", w)
			}
		}
	})
}

// TestEncode_Threshold checks which colours print black: the luminance of the pixel
// laid over white paper must be below half.
func TestEncode_Threshold(t *testing.T) {
	for _, tt := range []struct {
		name  string
		c     color.Color
		black bool
	}{
		{"Black", color.Black, true},
		{"White", color.White, false},
		{"DarkGrey", color.Gray{0x60}, true},
		{"LightGrey", color.Gray{0xa0}, false},
		{"Transparent", color.NRGBA{0, 0, 0, 0}, false},
		{"FaintBlack", color.NRGBA{0, 0, 0, 0x40}, false},
		{"MostlyBlack", color.NRGBA{0, 0, 0, 0xc0}, true},
		{"Red", color.NRGBA{0xff, 0, 0, 0xff}, true},
		{"Yellow", color.NRGBA{0xff, 0xff, 0, 0xff}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			img := image.NewNRGBA(image.Rect(0, 0, 4, 4))
			for y := range 4 {
				for x := range 4 {
					img.Set(x, y, tt.c)
				}
			}
			job, _ := MustJob(t)
			job.QR = img
			r := decodeRaster(t, MustEncode(t, job, escpos.Options{}))
			if got := r.Black(r.W/2, r.H/2); got != tt.black {
				t.Errorf("centre dot black=%v, want %v", got, tt.black)
			}
		})
	}
}

// MustJob returns a ticket whose QR is rendered one pixel per module, with the QR's
// modules (quiet zone included) to check the raster against.
func MustJob(tb testing.TB) (backend.PrintJob, [][]bool) {
	tb.Helper()
	q, err := qrcode.New("BZ1.a3f9c2.B017.20261123.5c1e0e7d", qrcode.Medium)
	if err != nil {
		tb.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 9, 14, 37, 0, time.FixedZone("CST", 8*3600))
	return backend.PrintJob{
		StationName:   "朝阳区退役军人服务站",
		Number:        "B017",
		ServiceNameZH: "优抚金申领",
		ServiceNameEN: "Pension claims",
		IssuedAt:      at,
		Ahead:         3,
		EstimatedWait: 12 * time.Minute,
		QR:            q.Image(-1),
	}, q.Bitmap()
}

func MustEncode(tb testing.TB, job backend.PrintJob, opts escpos.Options) []byte {
	tb.Helper()
	b, err := escpos.Encode(job, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func gb18030(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// rasterImage is a GS v 0 image decoded from a stream.
type rasterImage struct {
	W, H int // dots
	data []byte
}

// Black reports whether the dot at (x, y) is printed.
func (r rasterImage) Black(x, y int) bool {
	return r.data[y*(r.W/8)+x/8]&(0x80>>(x%8)) != 0
}

// decodeRaster parses the one GS v 0 m xL xH yL yH d1...dk in b.
func decodeRaster(tb testing.TB, b []byte) rasterImage {
	tb.Helper()
	i := rasterAt(tb, b)
	if bytes.Contains(b[i+3:], []byte{0x1d, 'v', '0'}) {
		tb.Fatal("more than one GS v 0")
	}
	h := b[i+3:]
	if len(h) < 5 || h[0] != 0 {
		tb.Fatalf("GS v 0 header % x: want normal mode 0", h[:min(len(h), 5)])
	}
	x, y := int(h[1])|int(h[2])<<8, int(h[3])|int(h[4])<<8
	if len(h) < 5+x*y {
		tb.Fatalf("GS v 0 %d×%d needs %d data bytes, stream has %d", x, y, x*y, len(h)-5)
	}
	return rasterImage{W: 8 * x, H: y, data: h[5 : 5+x*y]}
}

func rasterAt(tb testing.TB, b []byte) int {
	tb.Helper()
	i := bytes.Index(b, []byte{0x1d, 'v', '0'})
	if i < 0 {
		tb.Fatal("no GS v 0 raster in stream")
	}
	return i
}

func rasterEnd(tb testing.TB, b []byte) int {
	tb.Helper()
	i := rasterAt(tb, b)
	r := decodeRaster(tb, b)
	return i + 8 + r.W/8*r.H
}

// blackBox returns the smallest rectangle holding every black pixel of a w×h image.
func blackBox(w, h int, black func(x, y int) bool) image.Rectangle {
	box := image.Rectangle{Min: image.Pt(w, h)}
	for y := range h {
		for x := range w {
			if black(x, y) {
				box.Min.X, box.Min.Y = min(box.Min.X, x), min(box.Min.Y, y)
				box.Max.X, box.Max.Y = max(box.Max.X, x+1), max(box.Max.Y, y+1)
			}
		}
	}
	return box
}
