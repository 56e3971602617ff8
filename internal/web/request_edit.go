package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/feedback"
)

// requestEdit: POST /requests/{id} saves title, description, status, quarter,
// strategic score, public flag and release note.
func (ui *Web) requestEdit(w http.ResponseWriter, r *http.Request) error {
	cur, err := ui.postedRequest(w, r, 128<<10)
	if err != nil {
		return err
	}
	v := r.PostForm
	f := requestEditForm{Title: v.Get("title"), Description: v.Get("description"), Status: v.Get("status"),
		Quarter: strings.TrimSpace(v.Get("quarter")), Strategic: strings.TrimSpace(v.Get("strategic_score")),
		ReleaseNote: v.Get("release_note"), Public: v.Get("public") != "", Errors: map[string]string{}}
	req := cur
	req.Title, req.Description, req.Status, req.Quarter = f.Title, f.Description, feedback.RequestStatus(f.Status), f.Quarter
	req.ReleaseNote, req.Public = f.ReleaseNote, f.Public
	req.StrategicScore = 0
	if f.Strategic != "" {
		n, err := strconv.Atoi(f.Strategic)
		if err != nil {
			f.Errors["strategic_score"] = "Strategic score must be a whole number from 0 to 10."
		}
		req.StrategicScore = n
	}
	if len(f.Errors) == 0 {
		_, err := ui.Store.UpdateRequest(r.Context(), &req)
		if done, err := ui.saved(w, r, err, "Request saved.", "/requests/"+url.PathEscape(cur.ID), besideField(f.Errors)); done {
			return err
		}
	}
	return ui.requestRefused(w, r, cur, func(d *requestData) { d.Form = f })
}
