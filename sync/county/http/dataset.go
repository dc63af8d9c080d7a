package http

import (
	"io"
	"net/http"

	"bingzhan/backend"
	"bingzhan/sync/county"
)

func (s *Server) handleDatasets(w http.ResponseWriter, r *http.Request, _ string) {
	out, err := s.Store.Datasets(r.Context())
	if err != nil {
		s.Error(w, err)
		return
	}
	s.JSON(w, http.StatusOK, out)
}

// handleImport takes the file as the raw body, its name in ?filename= (the extension
// picks JSON, CSV or XLSX).
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request, user string) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, county.MaxImportBytes))
	if err != nil {
		s.Error(w, county.Errorf(backend.EINVALID, "county.import_too_large", county.MaxImportBytes>>20))
		return
	}
	info, err := s.Store.Import(r.Context(), r.PathValue("name"), r.URL.Query().Get("filename"), data, user)
	if err != nil {
		s.Error(w, err)
		return
	}
	s.JSON(w, http.StatusCreated, info)
}
