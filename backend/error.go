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

// Kind refines a code for the few callers that must tell two errors of one code apart:
// a kiosk shows "check what you typed" for refused content, "ask at the counter" for a
// locked record, and "wait" after too many tries. Kinds are the domain's words; the edge
// maps each to its own status. The zero Kind says no more than the code, and the code
// set stays the public contract: a client that knows only codes still understands.
type Kind string

// Kinds of error. Each belongs with one code.
const (
	// KindRejected is an EINVALID whose request was read and whose content a rule
	// refused: a wrong check digit, an unknown service, a visit closed without an
	// outcome. Without it an EINVALID is a request that could not be used at all.
	KindRejected Kind = "rejected"
	// KindLocked is an EFORBIDDEN for a record locked until staff unlock it, such as
	// a person's lookup after too many wrong phone numbers.
	KindLocked Kind = "locked"
	// KindTooMany is an EUNAUTHORIZED after too many wrong tries in a row: the same
	// request will succeed again later, once the lock has run out.
	KindTooMany Kind = "too_many"
	// KindTooFast is an EUNAVAILABLE for a client that repeats a request faster than
	// a person at a kiosk would: it may try again in a few seconds.
	KindTooFast Kind = "too_fast"
)

// Error is an error a person can act on. Key names a message in the catalog of
// messages.go; Args fill its verbs. Messages are translated where they are shown, so
// the domain never decides the language. Kind is the key's kind in the catalog unless
// its maker chose another with WithKind.
type Error struct {
	Code string
	Kind Kind
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

// Errorf returns an *Error with the given code, message key and arguments, of the kind
// the message catalog gives key with that code (messages.go, addKinds). The kind lives
// with the message, so every maker of one error says the same, wherever it is made.
func Errorf(code, key string, args ...any) *Error {
	e := &Error{Code: code, Key: key, Args: args}
	if k, ok := kinds[key]; ok && k.code == code {
		e.Kind = k.kind
	}
	return e
}

// WithKind returns a copy of e of kind k, for the maker whose use of a shared message
// is not of the message's usual kind.
func (e *Error) WithKind(k Kind) *Error {
	c := *e
	c.Kind = k
	return &c
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

// ErrorKind returns the kind of err if it is (or wraps) an *Error, and "" otherwise.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
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
