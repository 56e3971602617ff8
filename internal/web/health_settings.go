package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/store"
)

// The health and cadence policy page (admins): the cadence per tier, which touchpoint
// kinds count as contact, the signal rules (on/off, threshold, due days), which
// weight set is in use, and the weights of that set: its mode (profiles by tier or by
// lifecycle stage) and each profile's weights. Saving other weights or another mode
// never edits the set in place: it becomes a new version (health_weights.go), so the
// history keeps naming the weights each day was scored with.

type healthRuleRow struct {
	Name, Label, Unit  string
	On                 bool
	Threshold, DueDays string
}

type healthSettingsData struct {
	Tiers   []struct{ Tier, Days string }
	Default string
	Kinds   []struct {
		Kind string
		On   bool
	}
	Rules    []healthRuleRow
	History  string // days of history kept
	Active   string
	Versions []health.WeightSet
	Mode     string      // the mode of the set in use
	Weights  []weightRow // its profiles, editable
	Comps    []string
	Errors   map[string]string
	Error    string
}

var ruleUnits = map[string]string{
	health.SigUsageDrop: "% drop", health.SigLowUsage: "events in 30 days", health.SigRenewal: "days before the renewal or its notice deadline", health.SigDetractor: "highest NPS",
	health.SigNotActivated: "days after signup (accounts signed up in the last 180 days)", health.SigStalled: "days without a new step (accounts signed up in the last 180 days)",
}

func (ui *Web) healthSettingsData(hs health.Settings) healthSettingsData {
	d := healthSettingsData{Default: strconv.Itoa(hs.DefaultCadence), History: strconv.Itoa(hs.HistoryRetention()), Active: hs.Active, Versions: hs.Sets, Comps: health.Components, Errors: map[string]string{}}
	d.Mode, d.Weights = hs.Weights().ModeOrTier(), ui.weightRows(hs.Weights())
	for _, t := range ui.Config.Tiers {
		d.Tiers = append(d.Tiers, struct{ Tier, Days string }{t, strconv.Itoa(hs.CadenceFor(t))})
	}
	for _, k := range account.TouchpointKinds {
		on := false
		for _, c := range hs.ContactKinds {
			on = on || c == string(k)
		}
		d.Kinds = append(d.Kinds, struct {
			Kind string
			On   bool
		}{string(k), on})
	}
	for _, name := range health.SignalRules {
		r := hs.Rules[name]
		d.Rules = append(d.Rules, healthRuleRow{Name: name, Label: store.SignalLabels[name], Unit: ruleUnits[name], On: r.Enabled,
			Threshold: strconv.Itoa(r.Threshold), DueDays: strconv.Itoa(r.DueDays)})
	}
	return d
}

func (ui *Web) healthSettingsPage(w http.ResponseWriter, r *http.Request) error {
	hs, err := ui.Store.HealthSettings(r.Context())
	if err != nil {
		return err
	}
	return ui.render(w, r, http.StatusOK, "health_settings", "Health settings", "settings", ui.healthSettingsData(hs))
}

// healthSettingsSave: POST /settings/health saves every field together, or shows the
// form again with what was typed and the fields at fault.
func (ui *Web) healthSettingsSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 32<<10); err != nil {
		return err
	}
	v := r.PostForm
	hs, err := ui.Store.HealthSettings(r.Context())
	if err != nil {
		return err
	}
	d := ui.healthSettingsData(hs)
	num := func(field string, lo, hi int) (string, int) {
		text := strings.TrimSpace(v.Get(field))
		n, err := strconv.Atoi(text)
		if err != nil || n < lo || n > hi {
			d.Errors[field] = "Enter a whole number from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi) + "."
		}
		return text, n
	}
	if hs.Cadence == nil {
		hs.Cadence = map[string]int{}
	}
	for i, t := range d.Tiers {
		d.Tiers[i].Days, hs.Cadence[t.Tier] = num("cadence_"+t.Tier, 1, 366)
	}
	d.Default, hs.DefaultCadence = num("default_cadence", 1, 366)
	hs.ContactKinds = nil
	for i, k := range d.Kinds {
		d.Kinds[i].On = v.Get("kind_"+k.Kind) != ""
		if d.Kinds[i].On {
			hs.ContactKinds = append(hs.ContactKinds, k.Kind)
		}
	}
	hs.Rules = map[string]health.Rule{}
	for i, row := range d.Rules {
		rule := health.Rule{Enabled: v.Get("on_"+row.Name) != ""}
		d.Rules[i].On = rule.Enabled
		d.Rules[i].Threshold, rule.Threshold = num("threshold_"+row.Name, 0, 1000)
		d.Rules[i].DueDays, rule.DueDays = num("due_"+row.Name, 0, 365)
		hs.Rules[row.Name] = rule
	}
	// Left out (an older form), the retention stays as it is.
	if _, ok := v["history_days"]; ok {
		d.History, hs.HistoryDays = num("history_days", health.MinHistoryDays, health.MaxHistoryDays)
	}
	was := hs.Active
	hs.Active = v.Get("active")
	d.Active = hs.Active
	// Left out (an older form), the weights stay as they are; with another set chosen
	// the weights shown were the old set's, so they are not read.
	if _, ok := v["mode"]; ok && hs.Active == was {
		ui.saveWeights(v, &hs, &d)
	}
	if len(d.Errors) == 0 {
		err := ui.Store.PutHealthSettings(r.Context(), hs)
		if done, err := ui.saved(w, r, err, "Health settings saved: every account is rescored at the next health sync.", "/settings/health", onTop(&d.Error)); done {
			return err
		}
	}
	return ui.render(w, r, http.StatusUnprocessableEntity, "health_settings", "Health settings", "settings", d)
}
