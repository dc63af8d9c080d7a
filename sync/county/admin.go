package county

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// AdminSocket is the running server's control socket inside the data folder. Only
// whoever may read the data folder (and so the database itself) can reach it: the
// folder is 0700 and the socket 0600. `bingzhan-county backup` uses it while the
// server holds the database.
const AdminSocket = "admin.sock"

// ServeAdmin serves the control socket in dir until ctx ends. Call it only while
// holding the database (after Open): a socket file left by a crashed server is then
// certainly stale and is replaced.
func (s *Store) ServeAdmin(ctx context.Context, dir string) error {
	path := filepath.Join(dir, AdminSocket)
	os.Remove(path)
	lis, err := net.Listen("unix", path)
	if err != nil {
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		lis.Close()
		return fmt.Errorf("control socket %s: %w", path, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /backup", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		f, err := s.Backup(r.Context())
		if err != nil {
			s.Logger.Error("backup asked for on the control socket failed", "err", err)
			w.WriteHeader(http.StatusInternalServerError)
			json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		json.NewEncoder(w).Encode(f)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(lis); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// ErrNoAdmin means no running server answered on the control socket.
var ErrNoAdmin = errors.New("no county server answers on the control socket")

// RequestBackup asks the server running on dir for a backup now and returns it.
func RequestBackup(ctx context.Context, dir string) (*BackupFile, error) {
	path := filepath.Join(dir, AdminSocket)
	c := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		},
	}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://county/backup", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w (%s): %v", ErrNoAdmin, path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		json.Unmarshal(body, &e)
		return nil, fmt.Errorf("the running county server could not make the backup: %s", e.Error)
	}
	var f BackupFile
	if err := json.Unmarshal(body, &f); err != nil {
		return nil, fmt.Errorf("read the server's answer: %w", err)
	}
	return &f, nil
}
