package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/app"
	"bingzhan/backend/qr"
)

// runPrinterTest prints a sample ticket so an operator can check paper, width and
// the QR code without taking a real number from the queue.
func runPrinterTest(ctx context.Context, args []string, stdout io.Writer) error {
	fl := flag.NewFlagSet("bingzhan printer-test", flag.ContinueOnError)
	data := fl.String("data", app.DefaultDataDir(), "data folder whose config.json names the printer")
	addr := fl.String("printer", "", "printer to test: tcp://host:9100 or a device path (default: from config.json)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	cfg, err := app.LoadConfig(*data)
	if err != nil {
		return err
	}
	if *addr != "" {
		cfg.Printer = *addr
	}
	p, err := app.OpenPrinter(cfg)
	if err != nil {
		return err
	}
	if p == nil {
		return fmt.Errorf("no printer configured: pass --printer or set \"printer\" in %s", app.ConfigFile)
	}
	img, err := qr.Image("BZ1:TEST")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	err = p.Print(ctx, backend.PrintJob{
		StationName: cfg.StationName + "（测试）", Number: "B000",
		ServiceNameZH: "打印测试", ServiceNameEN: "Printer test",
		IssuedAt: time.Now(), QR: img,
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "test ticket sent to", cfg.Printer)
	return nil
}
