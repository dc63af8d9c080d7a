package qr_test

import (
	"bytes"
	"image/png"
	"strings"
	"testing"

	"bingzhan/backend/qr"
)

// payload has the length and alphabet of a real ticket proof.
var payload = "BZ1:" + strings.Repeat("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 5)[:133]

func TestPNG(t *testing.T) {
	buf, err := qr.PNG(payload, 384)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 384 || b.Dy() != 384 {
		t.Fatalf("size %v", b)
	}
}

func TestImage(t *testing.T) {
	img, err := qr.Image(payload)
	if err != nil {
		t.Fatal(err)
	}
	// Version 7 is 45 modules, plus a 4-module quiet zone on each side. A larger symbol
	// would mean the payload grew past what a 58 mm printer renders crisply.
	if w := img.Bounds().Dx(); w > 45+8 {
		t.Fatalf("QR is %d modules wide", w)
	}
}
