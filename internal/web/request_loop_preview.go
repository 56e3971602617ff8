package web

import (
	"net/http"
)

// previewCSP locks the HTML preview down: it is shown in a sandboxed iframe (no
// scripts, an opaque origin, no forms), may load nothing, and may be framed only by
// our own loop page. The email's inline style attributes are its only styling.
const previewCSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'self'"

// loopPreview: GET /requests/{id}/loop/{draft}/preview serves a draft's HTML part as
// the recipient's mail client will show it, for the iframe on the loop page. Every
// piece of customer text in it was escaped by html/template (loop.HTMLBody).
func (ui *Web) loopPreview(w http.ResponseWriter, r *http.Request) error {
	d, err := ui.loopDraft(r)
	if err != nil {
		return err
	}
	p, err := ui.Loop.Preview(r.Context(), d.ID)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Security-Policy", previewCSP)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	_, err = w.Write([]byte(p.HTML))
	return err
}
