package app

import (
	"bingzhan/backend"
	"bingzhan/backend/escpos"
)

// OpenPrinter returns the ticket printer cfg names, or nil when it names none.
func OpenPrinter(cfg Config) (backend.Printer, error) {
	if cfg.Printer == "" {
		return nil, nil
	}
	return escpos.New(cfg.Printer, escpos.Options{Width: cfg.PrinterWidth})
}
