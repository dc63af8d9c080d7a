// Package httperr is where the domain's errors meet HTTP: one table from error code and
// kind to status, and the one way an API answers with an error. The station's and the
// county's HTTP packages both answer through it, so a client reads every error alike.
// It imports nothing of Bingzhan but the domain.
package httperr

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"bingzhan/backend"

	"golang.org/x/text/language"
)

// statuses maps each code, and the kinds that refine it, to an HTTP status: the one
// place where domain errors meet HTTP. A kind not listed with its code answers the
// code's status.
var statuses = map[key]int{
	{backend.EINVALID, ""}:                       http.StatusBadRequest,
	{backend.EINVALID, backend.KindRejected}:     http.StatusUnprocessableEntity,
	{backend.ENOTFOUND, ""}:                      http.StatusNotFound,
	{backend.ECONFLICT, ""}:                      http.StatusConflict,
	{backend.EUNAUTHORIZED, ""}:                  http.StatusUnauthorized,
	{backend.EUNAUTHORIZED, backend.KindTooMany}: http.StatusTooManyRequests,
	{backend.EFORBIDDEN, ""}:                     http.StatusForbidden,
	{backend.EFORBIDDEN, backend.KindLocked}:     http.StatusLocked,
	{backend.EUNAVAILABLE, ""}:                   http.StatusServiceUnavailable,
	{backend.EUNAVAILABLE, backend.KindTooFast}:  http.StatusTooManyRequests,
	{backend.EINTERNAL, ""}:                      http.StatusInternalServerError,
}

type key struct {
	code string
	kind backend.Kind
}

// Status returns the HTTP status for err: its code's, refined by its kind. Any error
// that is not a *backend.Error is internal (500).
func Status(err error) int {
	code := backend.ErrorCode(err)
	if st, ok := statuses[key{code, backend.ErrorKind(err)}]; ok {
		return st
	}
	if st, ok := statuses[key{code, ""}]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// Body is the JSON of every error answer.
type Body struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Write answers err as {"code","message"} with Status(err), the message in the
// request's language. Internal errors are logged to log with the request's method
// and path, and shown only as "内部错误", so no internal detail reaches a screen.
func Write(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := backend.ErrorCode(err)
	if code == backend.EINTERNAL {
		log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(Status(err))
	if err := json.NewEncoder(w).Encode(Body{Code: code, Message: backend.ErrorMessage(err, Lang(r))}); err != nil {
		log.Warn("write response", "path", r.URL.Path, "err", err)
	}
}

var languages = language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English, language.MustParse("mn-Mong")})

// Lang returns "en" when the request prefers English, "mn-Mong" when it asks for
// traditional Mongolian (the kiosk's Mongolian screens: the messages drafted in
// Mongolian come back so, the others in Chinese), and "zh-CN" otherwise: the language
// every message of an answer is written in.
func Lang(r *http.Request) string {
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return "zh-CN"
	}
	_, i, conf := languages.Match(tags...)
	switch {
	case conf == language.No:
	case i == 1:
		return "en"
	case i == 2 && conf >= language.High:
		return "mn-Mong"
	}
	return "zh-CN"
}
