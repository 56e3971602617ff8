package web

import (
	"net/http"

	"github.com/closeloop/closeloop/internal/feedback"
)

// postedRequest reads the form of an action on a request (at most limit bytes) and
// the request it acts on (POST /requests/{id}/…).
func (ui *Web) postedRequest(w http.ResponseWriter, r *http.Request, limit int64) (feedback.Request, error) {
	if err := parseForm(w, r, limit); err != nil {
		return feedback.Request{}, err
	}
	return ui.getRequest(r, r.PathValue("id"))
}

// requestRefused shows cur's page again with 422 after a refused action: the edit
// form holds the stored request, and fill adds what the action has to say.
func (ui *Web) requestRefused(w http.ResponseWriter, r *http.Request, cur feedback.Request, fill func(d *requestData)) error {
	d, err := ui.loadRequest(r, cur)
	if err != nil {
		return err
	}
	d.Form = editFormFrom(cur)
	fill(d)
	return ui.render(w, r, http.StatusUnprocessableEntity, "request", cur.Title, "requests", d)
}
