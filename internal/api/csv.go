package api

import (
	"io"
	"net/http"

	"github.com/closeloop/closeloop/internal/router"
)

// csvFormat reads ?format=json|csv. A CSV export is every matching row, so a limit
// with it is refused rather than silently ignored.
func csvFormat(p params) (bool, error) {
	f, err := p.oneOf("format", "json", "csv")
	if err != nil || f != "csv" {
		return false, err
	}
	if p.str("limit") != "" {
		return false, router.FieldErr("limit", "cannot be combined with format=csv: the export is every matching row")
	}
	return true, nil
}

// writeCSV answers with the CSV body write streams, as an attachment named name.
func writeCSV(w http.ResponseWriter, name string, write func(io.Writer) error) error {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	return write(w)
}
