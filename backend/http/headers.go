package http

import "net/http"

// contentSecurityPolicy lets a page of the station run only the station's own
// scripts (no inline script, no eval), talk only to the station, and be framed by
// nobody. Styles may be inline: Vue and Vant set style attributes. Images come as
// files, data: URLs (QR codes) or blob: URLs; the board's voice is audio files.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' blob:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// secureHeaders adds to every answer of the LAN listener what a browser needs to
// keep a page of the station from being framed, sniffed or made to run another
// site's script, and to keep the station's addresses out of other sites' logs. (No
// HSTS: a station that turns TLS off again must stay reachable by its name.)
func secureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY") // frame-ancestors for browsers without CSP 2
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=(), payment=()")
		h.ServeHTTP(w, r)
	})
}
