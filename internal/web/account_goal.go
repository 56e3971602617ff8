package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/health"
)

// accountGoal: POST /accounts/{id}/goal sets the account's usage goal (N occurrences
// of a track event within D days of signup); an empty event clears it.
func (ui *Web) accountGoal(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 8<<10); err != nil {
		return err
	}
	id := r.PathValue("id")
	event := strings.TrimSpace(r.PostFormValue("event"))
	var err error
	if event == "" {
		err = ui.Store.ClearGoal(r.Context(), id)
	} else {
		min, _ := strconv.Atoi(r.PostFormValue("min"))
		days, _ := strconv.Atoi(r.PostFormValue("check_days"))
		err = ui.Store.SetGoal(r.Context(), id, health.Goal{Event: event, Min: min, CheckDays: days})
	}
	var fe *errs.FieldError
	if errors.As(err, &fe) {
		d, lerr := ui.loadAccount(r, id, "")
		if lerr != nil {
			return lerr
		}
		d.GoalError = fe.Error()
		return ui.render(w, r, http.StatusUnprocessableEntity, "account", d.A.Name, "accounts", d)
	}
	if err != nil {
		return err
	}
	ui.setFlash(w, "Goal saved.")
	return seeOther(w, r, "/accounts/"+url.PathEscape(id)+"#usage-goal")
}
