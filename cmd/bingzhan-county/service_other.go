//go:build !windows

package main

import (
	"context"
	"errors"
	"io"
)

// runService says where the county's service is outside Windows.
func runService(context.Context, []string, io.Writer) error {
	return errors.New("`service` installs the county as a Windows service and works only on Windows; " +
		"on Linux the .deb package installs the systemd unit bingzhan-county.service (systemctl enable --now bingzhan-county)")
}
