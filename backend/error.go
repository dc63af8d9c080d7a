// Package backend holds the station's domain: its nouns, its rules, its errors and the
// interfaces its adapters implement. It imports no storage, HTTP, QR or window library.
package backend

import (
	"errors"
	"fmt"
)

// Error codes. They are few on purpose: each maps to one HTTP status at the edge and
// tells a caller what kind of thing went wrong, not where.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EUNAUTHORIZED = "unauthorized"
	EFORBIDDEN    = "forbidden"
	EUNAVAILABLE  = "unavailable"
	EINTERNAL     = "internal"
)

// Error is an error a person can act on. Key names a message in the catalog of
// messages.go; Args fill its verbs. Messages are translated where they are shown, so
// the domain never decides the language.
type Error struct {
	Code string
	Key  string
	Args []any
}

// Error implements the error interface with the English message, for logs and tests.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message("en"))
}

// Message returns the error's message in lang ("zh-CN" or "en"; anything else is zh-CN).
func (e *Error) Message(lang string) string {
	return Translate(lang, e.Key, e.Args...)
}

// Errorf returns an *Error with the given code, message key and arguments.
func Errorf(code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// ErrorCode returns the code of err if it is (or wraps) an *Error, and EINTERNAL for any
// other non-nil error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of err in lang if it is an *Error; for any other
// error it returns the generic internal-error message, so no internal detail reaches a
// screen.
func ErrorMessage(err error, lang string) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message(lang)
	}
	return Translate(lang, "internal")
}
