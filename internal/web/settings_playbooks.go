package web

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/playbook"
	"github.com/closeloop/closeloop/internal/store"
)

// Settings → Playbooks (admins): the named task lists a signal or a person starts on
// an account. The form has a row per step plus a few blank ones; blank rows are
// ignored, so a step is removed by clearing its title.

// blankStepRows is how many empty step rows the form offers after the existing ones.
const blankStepRows = 3

type playbookStepRow struct {
	Title, DueDays, Assignee string
}

type playbookForm struct {
	ID, Name string
	Signals  map[string]bool
	Rows     []playbookStepRow
	Errors   map[string]string // by form field: name, signals, title_N, due_N, assignee_N
	Error    string
}

type playbooksData struct {
	Playbooks []playbook.Playbook
	Form      playbookForm
	Rules     []option // signal rules, value and label
	Members   []option
	Names     map[string]string // member id → name, for the list
}

func (ui *Web) playbooksData(r *http.Request, f playbookForm) (playbooksData, error) {
	ps, err := ui.Store.ListPlaybooks(r.Context())
	if err != nil {
		return playbooksData{}, err
	}
	members, err := ui.Store.ListMembers(r.Context())
	if err != nil {
		return playbooksData{}, err
	}
	names := map[string]string{}
	for _, m := range members {
		names[m.ID] = m.Name
	}
	d := playbooksData{Playbooks: ps, Form: f, Members: assigneeOptions(members), Names: names}
	for _, rule := range health.SignalRules {
		d.Rules = append(d.Rules, option{rule, store.SignalLabels[rule]})
	}
	return d, nil
}

func formFor(p playbook.Playbook) playbookForm {
	f := playbookForm{ID: p.ID, Name: p.Name, Signals: map[string]bool{}, Errors: map[string]string{}}
	for _, s := range p.Signals {
		f.Signals[s] = true
	}
	for _, st := range p.Steps {
		f.Rows = append(f.Rows, playbookStepRow{st.Title, strconv.Itoa(st.DueDays), st.AssigneeID})
	}
	for range blankStepRows {
		f.Rows = append(f.Rows, playbookStepRow{})
	}
	return f
}

func (ui *Web) playbooksPage(w http.ResponseWriter, r *http.Request) error {
	d, err := ui.playbooksData(r, formFor(playbook.Playbook{}))
	if err != nil {
		return err
	}
	return ui.render(w, r, http.StatusOK, "settings_playbooks", "Playbooks", "settings", d)
}

func (ui *Web) playbookEditPage(w http.ResponseWriter, r *http.Request) error {
	p, err := ui.Store.GetPlaybook(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	d, err := ui.playbooksData(r, formFor(p))
	if err != nil {
		return err
	}
	return ui.render(w, r, http.StatusOK, "settings_playbook_edit", "Edit playbook", "settings", d)
}

// stepFieldRE reads the step index and field out of a store error's field name.
var stepFieldRE = regexp.MustCompile(`^steps\[(\d+)\]\.(title|due_days|assignee_id)$`)

// readPlaybookForm turns the posted form into a playbook, keeping what was typed (and
// which form row each step came from) to show the form again.
func readPlaybookForm(r *http.Request, id string) (playbook.Playbook, playbookForm, []int) {
	v := r.PostForm
	f := playbookForm{ID: id, Name: v.Get("name"), Signals: map[string]bool{}, Errors: map[string]string{}}
	p := playbook.Playbook{ID: id, Name: f.Name}
	for _, s := range v["signals"] {
		f.Signals[s] = true
		p.Signals = append(p.Signals, s)
	}
	n, _ := strconv.Atoi(v.Get("rows"))
	n = min(max(n, 0), playbook.MaxSteps+blankStepRows)
	var rowOf []int
	for i := range n {
		k := strconv.Itoa(i)
		row := playbookStepRow{v.Get("title_" + k), strings.TrimSpace(v.Get("due_" + k)), v.Get("assignee_" + k)}
		f.Rows = append(f.Rows, row)
		if strings.TrimSpace(row.Title) == "" {
			continue
		}
		days := 0
		if row.DueDays != "" {
			var err error
			if days, err = strconv.Atoi(row.DueDays); err != nil {
				f.Errors["due_"+k] = "Enter a whole number of days."
			}
		}
		p.Steps = append(p.Steps, playbook.Step{Title: row.Title, DueDays: days, AssigneeID: row.Assignee})
		rowOf = append(rowOf, i)
	}
	return p, f, rowOf
}

// formError places a store error on the form: a step's field on its row.
func (f *playbookForm) formError(fe *errs.FieldError, rowOf []int) {
	if m := stepFieldRE.FindStringSubmatch(fe.Field); m != nil {
		i, _ := strconv.Atoi(m[1])
		if i < len(rowOf) {
			key := map[string]string{"title": "title_", "due_days": "due_", "assignee_id": "assignee_"}[m[2]] + strconv.Itoa(rowOf[i])
			f.Errors[key] = fe.Msg
			return
		}
	}
	if fe.Field == "name" || fe.Field == "signals" {
		f.Errors[fe.Field] = fe.Msg
		return
	}
	f.Error = "Steps: " + fe.Msg
}

func (ui *Web) playbookCreate(w http.ResponseWriter, r *http.Request) error {
	return ui.playbookSave(w, r, "")
}

func (ui *Web) playbookEdit(w http.ResponseWriter, r *http.Request) error {
	if _, err := ui.Store.GetPlaybook(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return ui.playbookSave(w, r, r.PathValue("id"))
}

// playbookSave creates (id "") or updates a playbook, or shows the form again with
// what was typed and the fields at fault.
func (ui *Web) playbookSave(w http.ResponseWriter, r *http.Request, id string) error {
	if err := parseForm(w, r, 64<<10); err != nil {
		return err
	}
	p, f, rowOf := readPlaybookForm(r, id)
	if len(f.Errors) == 0 {
		var err error
		if id == "" {
			err = ui.Store.CreatePlaybook(r.Context(), &p)
		} else {
			err = ui.Store.UpdatePlaybook(r.Context(), &p)
		}
		var fe *errs.FieldError
		var ce *errs.ConflictError
		switch {
		case err == nil:
			ui.setFlash(w, "Playbook "+p.Name+" saved.")
			return seeOther(w, r, "/settings/playbooks")
		case errors.As(err, &fe):
			f.formError(fe, rowOf)
		case errors.As(err, &ce):
			f.Errors[ce.Field] = ce.Msg
		default:
			return err
		}
	}
	d, err := ui.playbooksData(r, f)
	if err != nil {
		return err
	}
	page, title := "settings_playbooks", "Playbooks"
	if id != "" {
		page, title = "settings_playbook_edit", "Edit playbook"
	}
	return ui.render(w, r, http.StatusUnprocessableEntity, page, title, "settings", d)
}

func (ui *Web) playbookDelete(w http.ResponseWriter, r *http.Request) error {
	p, err := ui.Store.GetPlaybook(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := ui.Store.DeletePlaybook(r.Context(), p.ID); err != nil {
		return err
	}
	ui.setFlash(w, "Playbook "+p.Name+" deleted; the tasks it made stay.")
	return seeOther(w, r, "/settings/playbooks")
}
