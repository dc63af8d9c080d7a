package escpos

import "image"

// raster is a 1-bit image as GS v 0 takes it: rows of rowBytes bytes, the most
// significant bit leftmost, 1 for a black dot.
type raster struct {
	rowBytes, height int
	data             []byte
}

// newRaster turns img into a raster as wide as the paper, with img thresholded, scaled
// by nearest neighbour to about 60% of the width (big enough for any phone, small
// enough to leave margins) and centred. The raster spans the whole width, white on
// either side, because printers disagree on whether ESC a centres images; a full-width
// image needs no centring.
//
// When img is no larger than that, it is scaled by a whole factor if one lands within
// three quarters of the aim, so every QR module gets the same number of dots: render
// the QR small, one pixel per module, for the crispest print. Otherwise modules may
// differ by a dot, which scanners do not mind. Nearest neighbour never invents grey,
// so edges stay sharp either way. An empty image gives an empty raster.
func newRaster(img image.Image, width int) raster {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	if sw <= 0 || sh <= 0 {
		return raster{}
	}
	aim := width * 6 / 10
	// Fit in an aim × aim square: a QR is square, and a tall image must not run the
	// height past what printers accept in one GS v 0 (Epson: 2303 rows).
	dw, dh := aim*sw/max(sw, sh), aim*sh/max(sw, sh)
	if k := aim / max(sw, sh); k >= 1 && k*max(sw, sh) >= aim*3/4 {
		dw, dh = k*sw, k*sh
	}
	dw, dh = max(dw, 1), max(dh, 1)

	r := raster{rowBytes: width / 8, height: dh}
	r.data = make([]byte, r.rowBytes*dh)
	left := (width - dw) / 2
	for y := range dh {
		// Sample the source pixel under the centre of each dot.
		sy := b.Min.Y + (2*y+1)*sh/(2*dh)
		row := r.data[y*r.rowBytes:]
		for x := range dw {
			sx := b.Min.X + (2*x+1)*sw/(2*dw)
			if dark(img, sx, sy) {
				px := left + x
				row[px/8] |= 0x80 >> (px % 8)
			}
		}
	}
	return r
}

// dark reports whether the pixel at (x, y) prints black: its luminance, composed over
// white paper so that transparent pixels count as paper, is below half.
func dark(img image.Image, x, y int) bool {
	r, g, b, a := img.At(x, y).RGBA() // alpha-premultiplied, 16 bits
	paper := 0xffff - a
	r, g, b = r+paper, g+paper, b+paper
	// ITU-R BT.601 weights, as color.GrayModel uses.
	lum := (19595*r + 38470*g + 7471*b + 1<<15) >> 16
	return lum < 0x8000
}
