package http

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"bingzhan/backend"
)

// DeviceHeader and DeviceCookie carry an enrolled kiosk device's token: the header
// for a program, the cookie for a browser enrolled through the console.
const (
	DeviceHeader = "X-Bingzhan-Device"
	DeviceCookie = "bingzhan_device"
)

type deviceKey struct{}

// deviceOf returns the enrolled kiosk device a request comes from, or nil.
func deviceOf(r *http.Request) *backend.KioskDevice {
	d, _ := r.Context().Value(deviceKey{}).(*backend.KioskDevice)
	return d
}

// withDevice notes on each request the enrolled device it comes from, when it
// presents a token that one has; a revoked or forged token is a stranger's.
func (s *Server) withDevice(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := r.Header.Get(DeviceHeader)
		if c, err := r.Cookie(DeviceCookie); token == "" && err == nil {
			token = c.Value
		}
		if token != "" && s.Devices != nil {
			if d, err := s.Devices.CheckDevice(r.Context(), token); err == nil {
				r = r.WithContext(context.WithValue(r.Context(), deviceKey{}, d))
			}
		}
		h.ServeHTTP(w, r)
	})
}

// deviceRoutes adds the admin's list of kiosk devices and the LAN setting.
func (s *Server) deviceRoutes(rt *router) {
	rt.handle("GET /api/v1/kiosk-devices", AdminSession, s.handleDevices)
	rt.handle("POST /api/v1/kiosk-devices", AdminSession, s.handleAddDevice)
	rt.handle("DELETE /api/v1/kiosk-devices/{id}", AdminSession, s.handleRemoveDevice)
	rt.handle("GET /api/v1/lan-settings", AdminSession, s.handleLANSettings)
	rt.handle("PUT /api/v1/lan-settings", AdminSession, s.handleSetLANSettings)
}

func (s *Server) devices(w http.ResponseWriter, r *http.Request) bool {
	if s.Devices == nil {
		s.Error(w, r, backend.Errorf(backend.EUNAVAILABLE, "device.not_found"))
		return false
	}
	return true
}

func (s *Server) handleDevices(w http.ResponseWriter, r *http.Request) {
	if !s.devices(w, r) {
		return
	}
	list, err := s.Devices.Devices(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, list)
}

// handleAddDevice enrols a device and answers its token, once. With this_browser,
// the admin is enrolling the browser they use (a lobby tablet): it also keeps the
// token as an HttpOnly cookie, for as long as the device is enrolled.
func (s *Server) handleAddDevice(w http.ResponseWriter, r *http.Request) {
	if !s.devices(w, r) {
		return
	}
	var req struct {
		Name        string `json:"name"`
		ThisBrowser bool   `json:"this_browser"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		s.Error(w, r, backend.Errorf(backend.EINVALID, "device.name", backend.MaxDeviceName))
		return
	}
	d, token, err := s.Devices.AddDevice(r.Context(), req.Name, actor(r))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if req.ThisBrowser {
		http.SetCookie(w, &http.Cookie{Name: DeviceCookie, Value: token, Path: "/", MaxAge: int(10 * 365 * 24 * time.Hour / time.Second),
			HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	}
	s.Logger.Info("kiosk device enrolled", "id", d.ID, "name", d.Name, "by", actor(r))
	s.JSON(w, r, http.StatusCreated, map[string]any{"id": d.ID, "name": d.Name, "token": token,
		"created_at": d.CreatedAt, "created_by": d.CreatedBy})
}

func (s *Server) handleRemoveDevice(w http.ResponseWriter, r *http.Request) {
	if !s.devices(w, r) {
		return
	}
	if err := s.Devices.RemoveDevice(r.Context(), r.PathValue("id")); err != nil {
		s.Error(w, r, err)
		return
	}
	s.Logger.Info("kiosk device removed", "id", r.PathValue("id"), "by", actor(r))
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleLANSettings(w http.ResponseWriter, r *http.Request) {
	if !s.devices(w, r) {
		return
	}
	open, err := s.Devices.OpenTickets(r.Context())
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.JSON(w, r, http.StatusOK, map[string]any{"open_tickets": open})
}

func (s *Server) handleSetLANSettings(w http.ResponseWriter, r *http.Request) {
	if !s.devices(w, r) {
		return
	}
	var req struct {
		OpenTickets *bool `json:"open_tickets"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil || req.OpenTickets == nil {
		s.Error(w, r, backend.Errorf(backend.EINVALID, "device.lan_settings"))
		return
	}
	if err := s.Devices.SetOpenTickets(r.Context(), *req.OpenTickets); err != nil {
		s.Error(w, r, err)
		return
	}
	s.Logger.Info("LAN ticket setting changed", "open_tickets", *req.OpenTickets, "by", actor(r))
	s.JSON(w, r, http.StatusOK, map[string]any{"open_tickets": *req.OpenTickets})
}
