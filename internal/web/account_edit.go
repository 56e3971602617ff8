package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/store"
)

// accountForm holds the edit form as typed, so a rejected value is shown back as the
// person wrote it rather than as whatever it parsed to.
type accountForm struct {
	Name, ExternalID, Domain, Plan, Seats, CompanySize string
	Tier, ICPFit, Stage, OwnerID, SignupDate, Goal     string
	Traits                                             string
	CAB                                                bool
	Errors                                             map[string]string
}

type accountEditData struct {
	A      store.AccountRow
	F      accountForm
	Tiers  []string
	Stages []option
	Owners []option
	// The traits limits, shown by the field.
	TraitsDepth, TraitsKB int
}

func formFromAccount(a account.Account) accountForm {
	f := accountForm{
		Name: a.Name, ExternalID: a.ExternalID, Domain: a.Domain, Plan: a.Plan,
		Seats: strconv.Itoa(a.Seats), CompanySize: strconv.Itoa(a.CompanySize),
		Tier: a.Tier, Stage: string(a.Stage), OwnerID: a.OwnerID, SignupDate: a.SignupDate, Goal: a.Goal, CAB: a.CAB,
		Traits: prettyJSON(a.Traits),
	}
	if a.ICPFit != nil {
		f.ICPFit = strconv.Itoa(*a.ICPFit)
	}
	return f
}

// prettyJSON indents traits for the edit form. Indenting costs about depth × size, so
// a value outside the traits limits (stored before they existed) is shown as stored:
// the page stays as large as the value, never its square.
func prettyJSON(raw json.RawMessage) string {
	var v any
	if account.CheckJSONObject("traits", raw) != nil || json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	if m, ok := v.(map[string]any); ok && len(m) == 0 {
		return ""
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

func (ui *Web) accountEditPage(w http.ResponseWriter, r *http.Request) error {
	a, err := ui.getAccount(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return ui.renderAccountEdit(w, r, http.StatusOK, a, formFromAccount(a.Account))
}

func (ui *Web) renderAccountEdit(w http.ResponseWriter, r *http.Request, status int, a store.AccountRow, f accountForm) error {
	members, err := ui.Store.ListMembers(r.Context())
	if err != nil {
		return err
	}
	d := accountEditData{A: a, F: f, Tiers: ui.Config.Tiers, Owners: ownerOptions(members, false),
		TraitsDepth: account.MaxJSONDepth, TraitsKB: account.MaxJSONBytes >> 10}
	d.Stages = stageOptions()
	return ui.render(w, r, status, "account_edit", "Edit "+a.Name, "accounts", d)
}

func (ui *Web) accountEdit(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := parseForm(w, r, 256<<10); err != nil {
		return err
	}
	cur, err := ui.getAccount(r.Context(), id)
	if err != nil {
		return err
	}
	v := r.PostForm
	f := accountForm{
		Name: v.Get("name"), ExternalID: v.Get("external_id"), Domain: v.Get("domain"), Plan: v.Get("plan"),
		Seats: strings.TrimSpace(v.Get("seats")), CompanySize: strings.TrimSpace(v.Get("company_size")),
		Tier: v.Get("tier"), ICPFit: strings.TrimSpace(v.Get("icp_fit")), Stage: v.Get("stage"), OwnerID: v.Get("owner_id"),
		SignupDate: strings.TrimSpace(v.Get("signup_date")), Goal: v.Get("goal"), Traits: v.Get("traits"),
		CAB: v.Get("cab") == "on" || v.Get("cab") == "true", Errors: map[string]string{},
	}
	a := cur.Account
	a.Name, a.ExternalID, a.Domain, a.Plan = f.Name, f.ExternalID, f.Domain, f.Plan
	a.Tier, a.Stage, a.OwnerID, a.SignupDate, a.Goal, a.CAB = f.Tier, account.Stage(f.Stage), f.OwnerID, f.SignupDate, f.Goal, f.CAB
	intField := func(field, s string, dst *int) {
		if s == "" {
			*dst = 0
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			f.Errors[field] = fieldMsg(field, "must be a whole number")
			return
		}
		*dst = n
	}
	intField("seats", f.Seats, &a.Seats)
	intField("company_size", f.CompanySize, &a.CompanySize)
	a.ICPFit = nil
	if f.ICPFit != "" {
		var n int
		intField("icp_fit", f.ICPFit, &n)
		a.ICPFit = &n
	}
	if t := strings.TrimSpace(f.Traits); t == "" {
		a.Traits = json.RawMessage(`{}`)
	} else {
		// The same check as every other entry point (account.CheckJSONObject), so the
		// form refuses what the API refuses, with the limit in the message.
		var fe *errs.FieldError
		if errors.As(account.CheckJSONObject("traits", []byte(t)), &fe) {
			f.Errors["traits"] = fieldMsg("traits", fe.Msg)
		}
		a.Traits = json.RawMessage(t)
	}
	if len(f.Errors) == 0 {
		err := ui.Store.UpdateAccount(r.Context(), &a)
		if done, err := ui.saved(w, r, err, "Account saved.", "/accounts/"+url.PathEscape(id), besideField(f.Errors)); done {
			return err
		}
	}
	return ui.renderAccountEdit(w, r, http.StatusUnprocessableEntity, cur, f)
}
