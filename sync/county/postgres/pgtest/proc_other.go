//go:build !linux

package pgtest

import (
	"errors"
	"os/exec"
)

// The clusters run on Linux, with Debian's postgresql, as CI does. Elsewhere the package
// builds, so `go vet ./...` and `go build ./...` work on a developer's Windows PC, and
// every test that asks for a cluster fails saying why.

type runAs struct{}

func credential() (*runAs, error) {
	return nil, errors.New("pgtest: PostgreSQL test clusters run on Linux only (Debian's postgresql package)")
}

func (*runAs) own(string) error { return nil }

func (*Cluster) runAs(*exec.Cmd) {}

func diesWithTest(*exec.Cmd) {}
