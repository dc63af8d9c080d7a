// Package control is the county server's control socket: a small HTTP API on a Unix
// socket in the data folder that `bingzhan-county backup`, `user add` and the
// `station` commands use while the running server holds the database, and the client
// side those commands call.
package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"bingzhan/backend"
	"bingzhan/backend/httperr"
	"bingzhan/sync/county"
	"bingzhan/sync/wire"
)

// AdminSocket is the running server's control socket inside the data folder. Only
// whoever may read the data folder (and so the database itself) can reach it: the
// folder is 0700 and the socket 0600. `bingzhan-county backup`, `user add` and the
// `station` commands use it while the server holds the database.
const AdminSocket = "admin.sock"

// Server answers on the control socket with the running county's store.
type Server struct {
	Store   county.Store
	Backups county.BackupService
	// Clock stamps the enrolment files it makes (nil: the machine's clock).
	Clock  backend.Clock
	Logger *slog.Logger
}

// Serve serves the control socket in dir until ctx ends. Call it only while holding
// the database (after opening the store): a socket file left by a crashed server is
// then certainly stale and is replaced.
func (s *Server) Serve(ctx context.Context, dir string) error {
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
		f, err := s.Backups.Backup(r.Context())
		if err != nil {
			s.logger().Error("backup asked for on the control socket failed", "err", err)
		}
		adminReply(w, f, err)
	})
	mux.HandleFunc("POST /user", func(w http.ResponseWriter, r *http.Request) {
		var req AdminUser
		err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req)
		if err != nil {
			err = badRequest(`{"name","pin"}`)
		} else if err = s.Store.AddUser(r.Context(), req.Name, req.PIN); err == nil {
			s.logger().Info("county user added or PIN changed", "user", strings.TrimSpace(req.Name), "by", "control socket")
		}
		adminReply(w, struct{}{}, err)
	})
	// Adding a station and giving one a new secret both answer with its enrolment.
	enrolRoute := func(route, did string, give func(context.Context, county.Store, backend.Clock, string, []string, string) (*wire.Enrolment, error)) {
		mux.HandleFunc("POST "+route, func(w http.ResponseWriter, r *http.Request) {
			var req AdminStation
			var e *wire.Enrolment
			err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req)
			if err != nil {
				err = badRequest(`{"name","urls","cert_pin"}`)
			} else if e, err = give(r.Context(), s.Store, s.Clock, req.Name, req.urls(), req.CertPin); err == nil {
				s.logger().Info(did, "station", e.StationID, "name", e.StationName, "by", "control socket")
			}
			adminReply(w, e, err)
		})
	}
	enrolRoute("/station", "station added", county.NewEnrolment)
	enrolRoute("/station/secret", "station given a new secret", county.NewSecretEnrolment)
	mux.HandleFunc("POST /station/retire", func(w http.ResponseWriter, r *http.Request) {
		var req AdminStation
		var st *county.Station
		err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req)
		if err != nil {
			err = badRequest(`{"name"}`)
		} else if st, err = s.Store.RetireStation(r.Context(), req.Name); err == nil {
			s.logger().Info("station retired", "station", st.ID, "name", st.Name, "by", "control socket")
			st.SecretHash = nil
		}
		adminReply(w, st, err)
	})
	mux.HandleFunc("POST /stations", func(w http.ResponseWriter, r *http.Request) {
		sts, err := s.Store.Stations(r.Context())
		for i := range sts {
			sts[i].SecretHash = nil // not needed to list them
		}
		adminReply(w, sts, err)
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

// adminReply writes v, or err as {"code","error"}. The socket is only for whoever may
// read the database, so unlike the dashboard it gives internal errors in full.
func adminReply(w http.ResponseWriter, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(httperr.Status(err))
		json.NewEncoder(w).Encode(adminError{Code: backend.ErrorCode(err), Error: county.Message(err)})
		return
	}
	json.NewEncoder(w).Encode(v)
}

type adminError struct {
	Code  string `json:"code"`
	Error string `json:"error"`
}

// AdminUser is the request of `user add` on the control socket.
type AdminUser struct {
	Name string `json:"name"`
	PIN  string `json:"pin"`
}

// AdminStation is the request of `station add`, `station new-secret` (Name is then the
// station's id or name) and `station retire` on the control socket: the operator's
// command works out the address and certificate pin as it does without a server.
// URLs holds every county address for the file; URL repeats the first, for a server
// from before several addresses.
type AdminStation struct {
	Name    string   `json:"name"`
	URL     string   `json:"url"`
	URLs    []string `json:"urls,omitempty"`
	CertPin string   `json:"cert_pin"`
}

// urls returns the addresses asked for: URLs, or URL alone from an older command.
func (a AdminStation) urls() []string {
	if len(a.URLs) > 0 || a.URL == "" {
		return a.URLs
	}
	return []string{a.URL}
}

// adminStation is the request for a station's enrolment at urls with pin.
func adminStation(name string, urls []string, pin string) AdminStation {
	a := AdminStation{Name: name, URLs: urls, CertPin: pin}
	if len(urls) > 0 {
		a.URL = urls[0]
	}
	return a
}

// adminPost sends in to route on the control socket of the server running on dir and
// decodes its answer into out. It returns ErrNoAdmin when no server answers, and the
// server's own error (a *backend.Error with the code and English message the store
// call gives) when it refuses.
func adminPost(ctx context.Context, dir, route string, in, out any) error {
	path := filepath.Join(dir, AdminSocket)
	c := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		},
	}}
	var body io.Reader
	if in != nil {
		buf, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(buf)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://county"+route, body)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("%w (%s): %v", ErrNoAdmin, path, err)
	}
	defer resp.Body.Close()
	buf, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		var e adminError
		if json.Unmarshal(buf, &e) != nil || e.Error == "" {
			e = adminError{Code: backend.EINTERNAL, Error: fmt.Sprintf("answered %s", resp.Status)}
		}
		return county.Errorf(e.Code, "county.text", e.Error)
	}
	if err := json.Unmarshal(buf, out); err != nil {
		return fmt.Errorf("read the server's answer: %w", err)
	}
	return nil
}

// RequestBackup asks the server running on dir for a backup now and returns it.
func RequestBackup(ctx context.Context, dir string) (*county.BackupFile, error) {
	var f county.BackupFile
	err := adminPost(ctx, dir, "/backup", nil, &f)
	var e *backend.Error
	if errors.As(err, &e) {
		return nil, fmt.Errorf("the running county server could not make the backup: %s", e.Message("en"))
	} else if err != nil {
		return nil, err
	}
	return &f, nil
}

// RequestAddUser asks the server running on dir to add a county user (or set a new
// PIN), exactly as county.Store's AddUser.
func RequestAddUser(ctx context.Context, dir, name, pin string) error {
	return adminPost(ctx, dir, "/user", AdminUser{Name: name, PIN: pin}, &struct{}{})
}

// RequestEnrolment asks the server running on dir to add a station, exactly as
// county.NewEnrolment, and returns the enrolment for the operator to write.
func RequestEnrolment(ctx context.Context, dir, name string, urls []string, pin string) (*wire.Enrolment, error) {
	return requestEnrolment(ctx, dir, "/station", adminStation(name, urls, pin))
}

// requestEnrolment asks for an enrolment on route and checks that it names every
// address asked for: a server started before files could name several would name the
// first alone, and the station would have no second address to turn to.
func requestEnrolment(ctx context.Context, dir, route string, req AdminStation) (*wire.Enrolment, error) {
	var e wire.Enrolment
	if err := adminPost(ctx, dir, route, req, &e); err != nil {
		return nil, err
	}
	if got := e.URLs(); len(req.URLs) > 1 && !slices.Equal(got, trimmed(req.URLs)) {
		return nil, fmt.Errorf("the running county server made a file for %q only, not %q: it is older than this command; "+
			"restart it with the new program, then give the station a new file with `station new-secret`", got, req.URLs)
	}
	return &e, nil
}

func trimmed(urls []string) []string {
	out := make([]string, len(urls))
	for i, u := range urls {
		out[i] = strings.TrimSuffix(u, "/")
	}
	return out
}

// RequestStations asks the server running on dir for its stations, as county.Store's
// Stations gives them but without their secrets' hashes.
func RequestStations(ctx context.Context, dir string) ([]county.Station, error) {
	var sts []county.Station
	if err := adminPost(ctx, dir, "/stations", nil, &sts); err != nil {
		return nil, err
	}
	return sts, nil
}

// RequestNewSecret asks the server running on dir to give a station a new secret,
// exactly as county.NewSecretEnrolment, and returns the new enrolment for the operator to write.
func RequestNewSecret(ctx context.Context, dir, idOrName string, urls []string, pin string) (*wire.Enrolment, error) {
	return requestEnrolment(ctx, dir, "/station/secret", adminStation(idOrName, urls, pin))
}

// RequestRetire asks the server running on dir to retire a station, exactly as
// county.Store's RetireStation.
func RequestRetire(ctx context.Context, dir, idOrName string) (*county.Station, error) {
	var st county.Station
	if err := adminPost(ctx, dir, "/station/retire", AdminStation{Name: idOrName}, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// badRequest is the error for a body that is not the JSON a route takes.
func badRequest(shape string) error {
	return county.Errorf(backend.EINVALID, "county.bad_request", shape)
}
