// Package qr renders ticket payloads as QR codes with go-qrcode.
package qr

import (
	"fmt"
	"image"

	qrcode "github.com/skip2/go-qrcode"
)

// Level M recovers from 15 % damage: enough for a creased thermal ticket, while the
// signed payload still fits version 7 at 203 dpi with comfortable modules.
const level = qrcode.Medium

// PNG returns the payload's QR code as a PNG of size×size pixels.
func PNG(payload string, size int) ([]byte, error) {
	q, err := qrcode.New(payload, level)
	if err != nil {
		return nil, fmt.Errorf("encode qr: %w", err)
	}
	return q.PNG(size)
}

// Image returns the payload's QR code as a black-on-white image with one pixel per
// module (plus the quiet zone), for printers that scale it to their own dots.
func Image(payload string) (image.Image, error) {
	q, err := qrcode.New(payload, level)
	if err != nil {
		return nil, fmt.Errorf("encode qr: %w", err)
	}
	// A negative size asks go-qrcode for exactly one pixel per module.
	return q.Image(-1), nil
}
