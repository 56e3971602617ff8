package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/money"
	"github.com/closeloop/closeloop/internal/workload"
)

// Settings → Workload (admins): per tier, how many accounts and how much ARR one CSM
// can carry, and who gets the tasks of an account nobody owns.

type workloadTierRow struct {
	Tier, Accounts, ARR, Owner string
}

type workloadSettingsData struct {
	Currency string
	Tiers    []workloadTierRow
	Owners   []option
	Errors   map[string]string
	Error    string
}

// workloadSettingsData reads the stored settings and the form showing them.
func (ui *Web) workloadSettingsData(r *http.Request) (workload.Settings, workloadSettingsData, error) {
	ws, err := ui.Store.WorkloadSettings(r.Context())
	if err != nil {
		return ws, workloadSettingsData{}, err
	}
	rk, err := ui.Store.RankSettings(r.Context())
	if err != nil {
		return ws, workloadSettingsData{}, err
	}
	members, err := ui.Store.ListMembers(r.Context())
	if err != nil {
		return ws, workloadSettingsData{}, err
	}
	d := workloadSettingsData{Currency: rk.Currency, Owners: assigneeOptions(members), Errors: map[string]string{}}
	for _, t := range ui.Config.Tiers {
		c := ws.Capacity[t]
		row := workloadTierRow{Tier: t, Accounts: strconv.Itoa(c.Accounts), ARR: money.FormatMajor(c.ARR, rk.Currency), Owner: ws.DefaultOwners[t]}
		d.Tiers = append(d.Tiers, row)
	}
	return ws, d, nil
}

func (ui *Web) workloadSettingsPage(w http.ResponseWriter, r *http.Request) error {
	_, d, err := ui.workloadSettingsData(r)
	if err != nil {
		return err
	}
	return ui.render(w, r, http.StatusOK, "settings_workload", "Workload settings", "settings", d)
}

// workloadSettingsSave: POST /settings/workload saves every tier together, or shows
// the form again with what was typed and the fields at fault.
func (ui *Web) workloadSettingsSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 16<<10); err != nil {
		return err
	}
	v := r.PostForm
	ws, d, err := ui.workloadSettingsData(r)
	if err != nil {
		return err
	}
	for i, row := range d.Tiers {
		t := row.Tier
		c := workload.Capacity{}
		d.Tiers[i].Accounts = strings.TrimSpace(v.Get("accounts_" + t))
		if n, err := strconv.Atoi(d.Tiers[i].Accounts); err != nil || n < 0 || n > 100_000 {
			d.Errors["accounts_"+t] = "Enter a whole number from 0 (no limit) to 100000."
		} else {
			c.Accounts = n
		}
		d.Tiers[i].ARR = strings.TrimSpace(v.Get("arr_" + t))
		if a, err := money.ParseMajor(d.Tiers[i].ARR, d.Currency); err != nil || a < 0 {
			d.Errors["arr_"+t] = "Enter an amount in " + d.Currency + " such as 2000000, or 0 for no limit."
		} else {
			c.ARR = a
		}
		ws.Capacity[t] = c
		d.Tiers[i].Owner = v.Get("owner_" + t)
		if d.Tiers[i].Owner == "" {
			delete(ws.DefaultOwners, t)
		} else {
			ws.DefaultOwners[t] = d.Tiers[i].Owner
		}
	}
	if len(d.Errors) == 0 {
		err := ui.Store.PutWorkloadSettings(r.Context(), ws)
		if done, err := ui.saved(w, r, err, "Workload settings saved.", "/settings/workload", onTop(&d.Error)); done {
			return err
		}
	}
	return ui.render(w, r, http.StatusUnprocessableEntity, "settings_workload", "Workload settings", "settings", d)
}
