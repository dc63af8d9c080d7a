package http

import (
	"net/http"
	"strings"
	"time"

	"bingzhan/backend"
)

// tlsRoutes adds the station's CA for staff PCs and the TV to trust, and what the
// console shows about it.
func (s *Server) tlsRoutes(rt *router) {
	rt.handle("GET /api/v1/tls/ca.pem", Public, s.handleCAFile)
	rt.handle("GET /api/v1/tls", StaffSession, s.handleTLS)
}

// handleCAFile gives the CA certificate as a file to save and trust: it is public
// (it proves nothing but lets a browser check the station); staff compare its
// fingerprint with the one the console shows at the kiosk before trusting it.
func (s *Server) handleCAFile(w http.ResponseWriter, r *http.Request) {
	a := s.TLS.Load()
	if a == nil {
		s.Error(w, r, backend.Errorf(backend.ENOTFOUND, "tls.off"))
		return
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Header().Set("Content-Disposition", `attachment; filename="bingzhan-station-ca.crt"`)
	w.Write(a.CAPEM())
}

// handleTLS tells the console whether the LAN listener is HTTPS, and the CA's
// fingerprint and dates and the names of the certificate when it is.
func (s *Server) handleTLS(w http.ResponseWriter, r *http.Request) {
	a := s.TLS.Load()
	if a == nil {
		s.JSON(w, r, http.StatusOK, map[string]any{"enabled": false})
		return
	}
	cert := a.Certificate()
	names := append([]string{}, cert.DNSNames...)
	for _, ip := range cert.IPAddresses {
		names = append(names, ip.String())
	}
	s.JSON(w, r, http.StatusOK, map[string]any{
		"enabled": true, "fingerprint": a.Fingerprint(), "ca_not_after": a.CA().NotAfter.Format(time.DateOnly),
		"cert_not_after": cert.NotAfter.Format(time.DateOnly), "names": names,
	})
}

// boardPaths are what the lobby board needs: its page and the page's files, the
// board's figures and their live stream, the station's name, the voice.
var boardPaths = []string{"/board", "/assets/", "/voice/", "/favicon", "/api/v1/board", "/api/v1/events",
	"/api/v1/station", "/api/v1/health"}

// BoardHandler serves only the lobby board's reads, for a plain-HTTP listener beside
// the HTTPS one: a TV that cannot trust the station's CA shows the board, and no PIN,
// session or personal data ever crosses that listener.
func (s *Server) BoardHandler() http.Handler {
	h := s.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			for _, p := range boardPaths {
				if r.URL.Path == p || strings.HasSuffix(p, "/") && strings.HasPrefix(r.URL.Path, p) {
					h.ServeHTTP(w, r)
					return
				}
			}
		}
		w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
		s.Error(w, r, backend.Errorf(backend.EFORBIDDEN, "tls.board_only"))
	})
}
