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

// accountGoal: POST /accounts/{id}/goal sets the account's goal (N occurrences of a
// track event, a condition on a trait, or both, within D days of signup); an empty
// event and trait clear it.
func (ui *Web) accountGoal(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 8<<10); err != nil {
		return err
	}
	id := r.PathValue("id")
	event, trait := strings.TrimSpace(r.PostFormValue("event")), strings.TrimSpace(r.PostFormValue("trait"))
	var err error
	if event == "" && trait == "" {
		err = ui.Store.ClearGoal(r.Context(), id)
	} else {
		min, _ := strconv.Atoi(r.PostFormValue("min"))
		days, _ := strconv.Atoi(r.PostFormValue("check_days"))
		err = ui.Store.SetGoal(r.Context(), id, health.Goal{Event: event, Min: min, Trait: trait, TraitOp: r.PostFormValue("trait_op"),
			TraitValue: r.PostFormValue("trait_value"), CheckDays: days})
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
