package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

type webhookForm struct {
	URL, Description string
	Events           map[string]bool
	Errors           map[string]string
}

type webhooksData struct {
	Endpoints []store.WebhookEndpoint
	Events    []eventInfo
	Form      webhookForm
	Created   *store.WebhookEndpoint
	Secret    string // shown on the create response only
	// AllowHosts is the internal hosts webhooks may reach (notify.EgressSettings), one
	// per line as the form shows them; EgressError is why a save was refused.
	AllowHosts  string
	EgressError string
}

type eventInfo struct{ Name, Help string }

var eventHelp = []eventInfo{
	{notify.EventFeedbackCreated, "feedback was captured from any channel"},
	{notify.EventRequestStatusChanged, "a request changed status (planned, shipped, …)"},
	{notify.EventVoteCreated, "someone voted for a request"},
	{store.EventHealthChanged, "an account's health band changed (green, yellow, red)"},
	{store.EventSignalFired, "a signal rule started firing for an account"},
	{store.EventTaskCreated, "a task was made for an account (by a signal or a playbook)"},
	{store.EventGoalMissed, "a customer missed the goal they signed up for"},
	{store.EventSurveyResponded, "someone answered a survey"},
	{store.EventCancellationRecorded, "a customer answered the cancellation survey"},
}

// renderWebhooks: GET /settings/webhooks lists endpoints and offers a new one.
func (ui *Web) renderWebhooks(w http.ResponseWriter, r *http.Request, status int, d webhooksData) error {
	eps, err := ui.Store.ListWebhookEndpoints(r.Context())
	if err != nil {
		return err
	}
	d.Endpoints, d.Events = eps, eventHelp
	if d.AllowHosts == "" && d.EgressError == "" {
		eg, err := notify.LoadEgress(r.Context(), ui.Store)
		if err != nil {
			return err
		}
		d.AllowHosts = strings.Join(eg.AllowHosts, "\n")
	}
	if d.Form.Events == nil {
		d.Form.Events = map[string]bool{}
	}
	return ui.render(w, r, status, "settings_webhooks", "Webhooks", "settings", d)
}

// webhookCreate: POST /settings/webhooks adds an endpoint and shows its signing
// secret once (no redirect, nothing cached).
func (ui *Web) webhookCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 16<<10); err != nil {
		return err
	}
	f, e := readWebhookForm(r)
	e.Active = true
	if len(f.Errors) == 0 {
		err := notify.CreateEndpoint(r.Context(), ui.Store, &e)
		switch {
		case err == nil:
			ui.Log.Info("webhook endpoint created", "endpoint", e.ID, "by", router.From(r).Member.ID)
			return ui.renderWebhooks(w, r, http.StatusCreated, webhooksData{Created: &e, Secret: e.Secret})
		case !webhookFieldErr(err, f.Errors):
			return err
		}
	}
	return ui.renderWebhooks(w, r, http.StatusUnprocessableEntity, webhooksData{Form: f})
}

// readWebhookForm reads the URL, events and description of the create and edit forms:
// the form as typed (to show back) and the endpoint to validate and store.
func readWebhookForm(r *http.Request) (webhookForm, store.WebhookEndpoint) {
	f := webhookForm{URL: strings.TrimSpace(r.PostFormValue("url")), Description: strings.TrimSpace(r.PostFormValue("description")),
		Events: map[string]bool{}, Errors: map[string]string{}}
	for _, ev := range r.PostForm["event"] {
		f.Events[ev] = true
	}
	if len(f.Description) > 300 {
		f.Errors["description"] = "Description is longer than 300 characters."
	}
	return f, store.WebhookEndpoint{URL: f.URL, Description: f.Description, Events: r.PostForm["event"]}
}

// webhookFieldErr puts notify's complaint about a field into fieldErrs, reporting
// whether err was one.
func webhookFieldErr(err error, fieldErrs map[string]string) bool {
	var se *errs.FieldError
	if !errors.As(err, &se) {
		return false
	}
	label := map[string]string{"url": "URL", "events": "Events"}[se.Field]
	if label == "" {
		label = se.Field
	}
	fieldErrs[se.Field] = label + " " + se.Msg + "."
	return true
}

func (ui *Web) getWebhook(r *http.Request) (store.WebhookEndpoint, error) {
	e, err := ui.Store.GetWebhookEndpoint(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		return e, router.NotFound("webhook endpoint")
	}
	return e, err
}

// postedWebhook reads the endpoint of the path, then the form sent to change it (at
// most limit bytes).
func (ui *Web) postedWebhook(w http.ResponseWriter, r *http.Request, limit int64) (store.WebhookEndpoint, error) {
	e, err := ui.getWebhook(r)
	if err != nil {
		return e, err
	}
	return e, parseForm(w, r, limit)
}

// webhookActive: POST /settings/webhooks/{id}/active turns deliveries on (active=1)
// or off.
func (ui *Web) webhookActive(w http.ResponseWriter, r *http.Request) error {
	e, err := ui.postedWebhook(w, r, 1<<10)
	if err != nil {
		return err
	}
	e.Active = r.PostFormValue("active") == "1"
	e.Secret = "" // keep the stored one
	if err := ui.Store.UpdateWebhookEndpoint(r.Context(), &e); err != nil {
		return err
	}
	if e.Active {
		ui.setFlash(w, "Endpoint enabled.")
	} else {
		ui.setFlash(w, "Endpoint disabled: no new events are sent to it.")
	}
	return seeOther(w, r, "/settings/webhooks")
}

// webhookDelete: POST /settings/webhooks/{id}/delete removes an endpoint.
func (ui *Web) webhookDelete(w http.ResponseWriter, r *http.Request) error {
	if err := ui.Store.DeleteWebhookEndpoint(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	ui.Log.Info("webhook endpoint deleted", "endpoint", r.PathValue("id"), "by", router.From(r).Member.ID)
	ui.setFlash(w, "Endpoint deleted. Deliveries still queued for it are skipped.")
	return seeOther(w, r, "/settings/webhooks")
}

// webhookEgress: POST /settings/webhooks/egress sets the internal hosts webhooks may
// reach: by default an endpoint must resolve to public addresses only (no loopback,
// private or link-local), so a URL cannot make closeloop post to internal services.
func (ui *Web) webhookEgress(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 16<<10); err != nil {
		return err
	}
	raw := r.PostFormValue("allow_hosts")
	hosts := strings.FieldsFunc(raw, func(c rune) bool { return c == '\n' || c == '\r' || c == ',' })
	if err := notify.SaveEgress(r.Context(), ui.Store, hosts); err != nil {
		var fe *errs.FieldError
		if errors.As(err, &fe) {
			return ui.renderWebhooks(w, r, http.StatusUnprocessableEntity, webhooksData{AllowHosts: raw, EgressError: fe.Error()})
		}
		return err
	}
	ui.setFlash(w, "Saved the internal hosts webhooks may reach.")
	return seeOther(w, r, "/settings/webhooks")
}
