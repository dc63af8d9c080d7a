package backend

import (
	"context"
	"image"
	"time"
)

// PrintJob is what goes on a paper ticket. It holds no personal data: the number, the
// service, the time and the signed QR are enough to be served and to prove the ticket.
type PrintJob struct {
	StationName   string
	Number        string // display number, e.g. "B017"
	ServiceNameZH string
	ServiceNameEN string
	Priority      bool
	IssuedAt      time.Time // in the station's time zone
	Ahead         int
	EstimatedWait time.Duration
	QR            image.Image // the ticket's QR code, black on white
}

// Printer prints paper tickets. Print returns EUNAVAILABLE when the printer cannot be
// reached or reports a fault (no paper, cover open), with a message a person can act on.
type Printer interface {
	Print(ctx context.Context, job PrintJob) error
}
