package http

import (
	"net/http"

	"bingzhan/backend"
)

// codeStatus is the county's one table from error code to HTTP status; no handler
// picks a status for an error by hand.
var codeStatus = map[string]int{
	backend.EINVALID:      http.StatusBadRequest,
	backend.ENOTFOUND:     http.StatusNotFound,
	backend.ECONFLICT:     http.StatusConflict,
	backend.EUNAUTHORIZED: http.StatusUnauthorized,
	backend.EFORBIDDEN:    http.StatusForbidden,
	backend.EUNAVAILABLE:  http.StatusServiceUnavailable,
	backend.EINTERNAL:     http.StatusInternalServerError,
}

// ErrorStatus returns the HTTP status for a backend.Error code; an unknown code is an
// internal error. The control socket answers with it too.
func ErrorStatus(code string) int {
	if status, ok := codeStatus[code]; ok {
		return status
	}
	return http.StatusInternalServerError
}
