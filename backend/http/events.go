package http

import (
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Heartbeat is how often an idle event stream sends a comment line, so proxies and
// the browser keep it open and a dead client is noticed.
const Heartbeat = 15 * time.Second

// handleEvents streams the station's events as Server-Sent Events:
//
//	id: 42
//	event: call
//	data: {"number":"B017","counter":2,…}
//
// Without a session a client gets the public events (call, counter, queue, reset:
// display numbers, counters and counts only), which is what the lobby board needs.
// With a staff session it also gets ticket events. A client reconnecting with
// Last-Event-ID first gets what it missed, as far as the broker's replay reaches.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok || s.Staff.Events == nil {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	se, _ := s.session(r)
	var lastID uint64
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		lastID, _ = strconv.ParseUint(v, 10, 64)
	}
	sub := s.Staff.Events.Subscribe(se != nil, lastID)
	defer s.Staff.Events.Unsubscribe(sub)

	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n\n")
	flusher.Flush()

	beat := s.clock().NewTicker(Heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-beat.Chan():
			// A staff stream ends with its session; the client reconnects and
			// goes on with public events until someone logs in again.
			if se != nil && !s.now().Before(se.ExpiresAt) {
				return
			}
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
			flusher.Flush()
		case m, ok := <-sub.C():
			if !ok {
				return // fell behind; the client reconnects with Last-Event-ID
			}
			if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", m.ID, m.Kind, m.Data); err != nil {
				return
			}
			flusher.Flush()
		}
	}
}
