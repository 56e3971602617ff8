package web

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/health"
)

// Settings → Onboarding (admins): the key steps. Each row is one step; a row whose
// event is left empty is dropped, so clearing it removes the step, and three empty
// rows below the steps add new ones.

type stepRow struct {
	Name, Event, Property, Min, Within string
	Required                           bool
}

type onboardingSettingsData struct {
	Rows   []stepRow
	Aha    string // the aha row's index, "" for none
	Errors map[string]string
	Error  string
}

// blankKeyStepRows are the empty rows offered for new steps.
const blankKeyStepRows = 3

func onboardingSettingsView(set health.ActivationSettings) onboardingSettingsData {
	d := onboardingSettingsData{Errors: map[string]string{}}
	for i, st := range set.Steps {
		within := ""
		if st.WithinDays > 0 {
			within = strconv.Itoa(st.WithinDays)
		}
		d.Rows = append(d.Rows, stepRow{Name: st.Name, Event: st.Event, Property: st.Property, Min: strconv.Itoa(st.Min), Within: within, Required: st.Required})
		if st.Aha {
			d.Aha = strconv.Itoa(i)
		}
	}
	for i := 0; i < blankKeyStepRows; i++ {
		d.Rows = append(d.Rows, stepRow{Min: "1"})
	}
	return d
}

func (ui *Web) onboardingSettingsPage(w http.ResponseWriter, r *http.Request) error {
	set, err := ui.Store.ActivationSettings(r.Context())
	if err != nil {
		return err
	}
	return ui.render(w, r, http.StatusOK, "settings_onboarding", "Onboarding settings", "settings", onboardingSettingsView(set))
}

// stepField names a step's field in the store's errors: steps[2].min.
var stepField = regexp.MustCompile(`^steps\[(\d+)\]\.(\w+)$`)

// onboardingSettingsSave: POST /settings/onboarding replaces the steps with the rows
// posted, or shows the form again with what was typed and the fields at fault.
func (ui *Web) onboardingSettingsSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 64<<10); err != nil {
		return err
	}
	v := r.PostForm
	n, err := strconv.Atoi(v.Get("rows"))
	if err != nil || n < 0 || n > health.MaxSteps+blankKeyStepRows {
		return badQuery("rows", "the form is out of date: reload it")
	}
	d := onboardingSettingsData{Aha: v.Get("aha"), Errors: map[string]string{}}
	var set health.ActivationSettings
	var rowOf []int // the form row of each step kept
	for i := 0; i < n; i++ {
		f := func(name string) string { return strings.TrimSpace(v.Get(name + "_" + strconv.Itoa(i))) }
		row := stepRow{Name: f("name"), Event: f("event"), Property: f("property"), Min: f("min"), Within: f("within"), Required: f("required") != ""}
		d.Rows = append(d.Rows, row)
		if row.Event == "" {
			continue
		}
		st := health.Step{Name: row.Name, Event: row.Event, Property: row.Property, Required: row.Required, Aha: d.Aha == strconv.Itoa(i)}
		key := strconv.Itoa(i)
		if st.Min, err = strconv.Atoi(row.Min); err != nil || st.Min < 1 || st.Min > 1_000_000 {
			d.Errors["min_"+key] = "Enter a whole number from 1 to 1000000."
		}
		if row.Within != "" {
			if st.WithinDays, err = strconv.Atoi(row.Within); err != nil || st.WithinDays < 0 || st.WithinDays > 730 {
				d.Errors["within_"+key] = "Enter a number of days from 1 to 730, or leave it empty for any time."
			}
		}
		set.Steps = append(set.Steps, st)
		rowOf = append(rowOf, i)
	}
	if len(d.Errors) == 0 {
		err := ui.Store.PutActivationSettings(r.Context(), set)
		if done, err := ui.saved(w, r, err, "Onboarding steps saved.", "/settings/onboarding", func(fe *errs.FieldError) {
			if m := stepField.FindStringSubmatch(fe.Field); m != nil {
				field := strings.TrimSuffix(m[2], "_days") // within_days is the form's within
				if k, _ := strconv.Atoi(m[1]); k < len(rowOf) {
					d.Errors[field+"_"+strconv.Itoa(rowOf[k])] = fe.Msg
					return
				}
			}
			d.Error = fe.Msg
		}); done {
			return err
		}
	}
	return ui.render(w, r, http.StatusUnprocessableEntity, "settings_onboarding", "Onboarding settings", "settings", d)
}
