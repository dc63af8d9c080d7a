package pgtest

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
)

// runAs is the system user a cluster runs as.
type runAs syscall.Credential

// credential returns who the cluster runs as: the postgres system user when we are
// root, which initdb refuses; nil (ourselves) otherwise.
func credential() (*runAs, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgtest: running as root, and initdb refuses root: %w (apt-get install postgresql makes the postgres user)", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return &runAs{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// own hands path to the user.
func (r *runAs) own(path string) error { return os.Chown(path, int(r.Uid), int(r.Gid)) }

// runAs makes cmd run as the cluster's user.
func (c *Cluster) runAs(cmd *exec.Cmd) {
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: (*syscall.Credential)(c.cred)}
	}
}

// diesWithTest makes the postmaster end (an immediate shutdown) if the test binary
// dies without stopping it; it runs in its own process group, so ^C reaches it only
// through our cleanup.
func diesWithTest(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
	cmd.SysProcAttr.Setpgid = true
}
