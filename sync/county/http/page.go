package http

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"bingzhan/backend"
	"bingzhan/sync/county"
	"bingzhan/sync/wire"
)

//go:embed page/*.html
var pageFS embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"ago":  ago,
	"wait": func(d county.DayStats) string { return waitText(d) },
	"pct": func(v *float64) string {
		if v == nil {
			return "—"
		}
		return strconv.FormatFloat(*v, 'f', 1, 64) + "%"
	},
	// The figures page's cells: waits as m:ss, "—" for what is not known.
	"avg": func(r county.FigureRow) string {
		if r.Called == 0 {
			return "—"
		}
		return mmss(r.AvgWaitS)
	},
	"p90": func(r county.FigureRow) string {
		if r.WaitHist.Count() == 0 {
			return "—"
		}
		return mmss(r.P90WaitS)
	},
	"maxwait": func(r county.FigureRow) string {
		if r.Called == 0 {
			return "—"
		}
		return mmss(r.WaitMaxS)
	},
	"dead": func(r county.FigureRow) string {
		if !r.Reported {
			return "—"
		}
		return strconv.Itoa(r.DeadLetters)
	},
	"inc": func(n int) int { return n + 1 },
	// label is a heading in Chinese with its English after it.
	"label": func(zh, en string) template.HTML {
		return template.HTML(template.HTMLEscapeString(zh) + ` <span class="en">` + template.HTMLEscapeString(en) + `</span>`)
	},
}).ParseFS(pageFS, "page/*.html"))

// pageRoutes adds the dashboard (at /, after login) and its forms.
func (s *Server) pageRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", s.handleDashboard)
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		s.render(w, http.StatusOK, "login.html", map[string]any{"Error": r.URL.Query().Get("error")})
	})
	mux.HandleFunc("POST /login", s.handleLoginForm)
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		if t := sessionToken(r); t != "" {
			s.Store.Logout(r.Context(), t) // the cookie goes whatever the store says
		}
		http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1})
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	})
	mux.HandleFunc("POST /import", s.pageStaff(s.handleImportForm))
	mux.HandleFunc("POST /stations", s.pageStaff(s.handleStationForm))
	mux.HandleFunc("POST /stations/secret", s.pageStaff(s.handleSecretForm))
	mux.HandleFunc("POST /stations/retire", s.pageStaff(s.handleRetireForm))
}

// pageStaff sends visitors without a session to the login page.
func (s *Server) pageStaff(next staffHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, err := s.Store.SessionUser(r.Context(), sessionToken(r))
		if err != nil {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		next(w, r, user)
	}
}

// render writes page name with data. It renders into memory first: a page that
// fails half-way answers 500 with a line saying so, not half a page that looks whole.
func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.logger().Error("render page", "page", name, "err", err)
		http.Error(w, "页面出错，请查看县中心日志。The page failed: see the county server's log.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	token, err := s.Store.Login(r.Context(), r.PostFormValue("name"), r.PostFormValue("pin"))
	if err != nil {
		msg := "姓名或密码不正确。Wrong name or PIN."
		if e, ok := err.(*backend.Error); ok && e.Key == "county.locked" {
			msg = "密码错误次数过多，请稍后再试。" + e.Message("en")
		}
		http.Redirect(w, r, "/login?error="+url.QueryEscape(msg), http.StatusSeeOther)
		return
	}
	s.setSession(w, r, token)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// stationRow is one line of the dashboard's table.
type stationRow struct {
	StationView
	State string // ok | behind | silent | never | retired
	Words string
	// FirstMissing is the first sequence the county lacks, when Missing > 0.
	FirstMissing uint64
}

// stateOf puts a station's link into words; colour on the page only repeats them.
func stateOf(v StationView, now time.Time) (string, string) {
	switch {
	case v.RetiredAt != nil:
		return "retired", "已停用 retired"
	case v.LastSeen == nil:
		return "never", "从未联系 never connected"
	case now.Sub(*v.LastSeen) > 24*time.Hour:
		return "silent", "超过一天未联系 silent for over a day"
	case v.Pending > 0 || v.DeadLetters > 0:
		return "behind", "有积压 behind"
	default:
		return "ok", "已同步 in sync"
	}
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	user, err := s.Store.SessionUser(r.Context(), sessionToken(r))
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	views, today, err := s.StationViews(r.Context())
	if err != nil {
		s.Error(w, err)
		return
	}
	datasets, err := s.Store.Datasets(r.Context())
	if err != nil {
		s.Error(w, err)
		return
	}
	now := s.now()
	rows := make([]stationRow, len(views))
	var total county.DayStats
	behind, openCases := 0, 0
	for i, v := range views {
		state, words := stateOf(v, now)
		rows[i] = stationRow{StationView: v, State: state, Words: words, FirstMissing: v.Contiguous + 1}
		if state != "ok" && state != "retired" {
			behind++
		}
		total.Add(v.Today)
		openCases += v.Ratings.OpenCases
	}
	last, err := s.lastBackup(r.Context())
	if err != nil {
		s.logger().Warn("list backups", "err", err)
	}
	// A backup missed once is retried within the hour; two intervals without one is
	// worth an operator's look.
	staleAfter := 2 * s.BackupEvery
	if staleAfter <= 0 {
		staleAfter = 48 * time.Hour
	}
	var lastAt *time.Time
	if last != nil {
		lastAt = &last.At
	}
	s.render(w, http.StatusOK, "dashboard.html", map[string]any{
		"User": user, "Today": today, "Now": now, "Rows": rows, "Behind": behind, "Total": total, "OpenCases": openCases,
		"Datasets": datasets, "Message": r.URL.Query().Get("msg"), "Error": r.URL.Query().Get("error"),
		"LastBackup": last, "LastBackupAt": lastAt, "BackupStaleAfter": int(staleAfter.Hours()),
		"BackupStale": last == nil || now.Sub(last.At) > staleAfter,
	})
}

func (s *Server) handleImportForm(w http.ResponseWriter, r *http.Request, user string) {
	back := func(key, msg string) { http.Redirect(w, r, "/?"+key+"="+url.QueryEscape(msg), http.StatusSeeOther) }
	r.Body = http.MaxBytesReader(w, r.Body, county.MaxImportBytes+1<<20)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		back("error", "请选择要导入的文件。Choose a file to import.")
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		back("error", "文件读取失败。The file could not be read.")
		return
	}
	ds, err := s.Store.Import(r.Context(), r.FormValue("name"), hdr.Filename, data, user)
	if err != nil {
		back("error", "导入失败 Import failed: "+err.Error())
		return
	}
	back("msg", fmt.Sprintf("已导入 Imported %s %s (%d)", ds.Name, ds.Version, ds.Items))
}

// handleStationForm creates a station and downloads its enrolment file, naming the
// addresses typed in the form (several apart by spaces or commas) or, with none, every
// address the server was told.
func (s *Server) handleStationForm(w http.ResponseWriter, r *http.Request, user string) {
	urls := strings.FieldsFunc(r.FormValue("url"), func(c rune) bool { return c == ',' || unicode.IsSpace(c) })
	e, err := county.NewEnrolment(r.Context(), s.Store, s.Clock, r.FormValue("name"), s.addresses(urls), s.CertPin)
	if err != nil {
		http.Redirect(w, r, "/?error="+url.QueryEscape("添加失败：Could not add the station: "+err.Error()), http.StatusSeeOther)
		return
	}
	s.logger().Info("station added", "station", e.StationID, "name", e.StationName, "by", user)
	sendEnrolment(w, e)
}

// handleSecretForm gives the chosen station a new secret and downloads its new file.
func (s *Server) handleSecretForm(w http.ResponseWriter, r *http.Request, user string) {
	e, err := county.NewSecretEnrolment(r.Context(), s.Store, s.Clock, r.FormValue("station"), s.PublicURLs, s.CertPin)
	if err != nil {
		http.Redirect(w, r, "/?error="+url.QueryEscape("未能更换：Could not give a new file: "+err.Error()), http.StatusSeeOther)
		return
	}
	s.logger().Info("station given a new secret", "station", e.StationID, "name", e.StationName, "by", user)
	sendEnrolment(w, e)
}

// handleRetireForm retires the chosen station once the box saying so is ticked.
func (s *Server) handleRetireForm(w http.ResponseWriter, r *http.Request, user string) {
	if r.FormValue("confirm") != "yes" {
		http.Redirect(w, r, "/?error="+url.QueryEscape("请先勾选确认。Tick the box to confirm first."), http.StatusSeeOther)
		return
	}
	st, err := s.Store.RetireStation(r.Context(), r.FormValue("station"))
	if err != nil {
		http.Redirect(w, r, "/?error="+url.QueryEscape("未能停用：Could not retire the station: "+err.Error()), http.StatusSeeOther)
		return
	}
	s.logger().Info("station retired", "station", st.ID, "name", st.Name, "by", user)
	http.Redirect(w, r, "/?msg="+url.QueryEscape("已停用 "+st.Name+"。Retired "+st.Name+"."), http.StatusSeeOther)
}

// sendEnrolment answers an enrolment file as a download.
func sendEnrolment(w http.ResponseWriter, e *wire.Enrolment) {
	buf, _ := json.MarshalIndent(e, "", "  ")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.enrol.json"`, e.StationID))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(append(buf, '\n'))
}

// ago says how long ago t was, in Chinese and English.
func ago(now time.Time, t *time.Time) string {
	if t == nil {
		return "—"
	}
	d := now.Sub(*t)
	switch {
	case d < time.Minute:
		return "刚刚 just now"
	case d < time.Hour:
		return fmt.Sprintf("%d 分钟前 %d min ago", int(d.Minutes()), int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d 小时前 %d h ago", int(d.Hours()), int(d.Hours()))
	default:
		return fmt.Sprintf("%d 天前 %d days ago", int(d.Hours()/24), int(d.Hours()/24))
	}
}

// mmss writes seconds as minutes and seconds, 12:05.
func mmss(s int) string { return fmt.Sprintf("%d:%02d", s/60, s%60) }

func waitText(d county.DayStats) string {
	if d.Called == 0 {
		return "—"
	}
	avg := d.WaitSumS / d.Called
	return fmt.Sprintf("%d:%02d / %d:%02d", avg/60, avg%60, d.WaitMaxS/60, d.WaitMaxS%60)
}
