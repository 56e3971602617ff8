package web

import (
	"errors"
	"net/http"

	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

type webhookEditData struct {
	Endpoint store.WebhookEndpoint
	Form     webhookForm
	Events   []eventInfo
}

// allEvents is the "*" subscription, offered on the edit form only to an endpoint
// that already has it, so saving the form does not silently drop it.
var allEvents = eventInfo{"*", "every event, including ones added later"}

func (ui *Web) renderWebhookEdit(w http.ResponseWriter, r *http.Request, status int, d webhookEditData) error {
	d.Events = eventHelp
	if d.Form.Events["*"] {
		d.Events = append(append([]eventInfo(nil), eventHelp...), allEvents)
	}
	return ui.render(w, r, status, "settings_webhook_edit", "Edit webhook", "settings", d)
}

// webhookEditPage: GET /settings/webhooks/{id}/edit shows an endpoint's URL, events
// and description for changing. The signing secret is not shown and does not change.
func (ui *Web) webhookEditPage(w http.ResponseWriter, r *http.Request) error {
	e, err := ui.getWebhook(r)
	if err != nil {
		return err
	}
	f := webhookForm{URL: e.URL, Description: e.Description, Events: map[string]bool{}}
	for _, ev := range e.Events {
		f.Events[ev] = true
	}
	return ui.renderWebhookEdit(w, r, http.StatusOK, webhookEditData{Endpoint: e, Form: f})
}

// webhookEdit: POST /settings/webhooks/{id}/edit saves the URL, events and
// description. A rejected form is shown back as typed; enabled/disabled and the
// signing secret are left as they are.
func (ui *Web) webhookEdit(w http.ResponseWriter, r *http.Request) error {
	e, err := ui.postedWebhook(w, r, 16<<10)
	if err != nil {
		return err
	}
	f, typed := readWebhookForm(r)
	if len(f.Errors) == 0 {
		upd := e
		upd.URL, upd.Events, upd.Description = typed.URL, typed.Events, typed.Description
		err := notify.UpdateEndpoint(r.Context(), ui.Store, &upd)
		switch {
		case err == nil:
			ui.Log.Info("webhook endpoint changed", "endpoint", e.ID, "by", router.From(r).Member.ID)
			// The worker reads the endpoint when it delivers, so queued deliveries
			// follow the new URL too.
			ui.setFlash(w, "Endpoint saved: new events, and deliveries still queued for it, go to "+upd.URL+".")
			return seeOther(w, r, "/settings/webhooks")
		case errors.Is(err, store.ErrNotFound):
			return router.NotFound("webhook endpoint")
		case !webhookFieldErr(err, f.Errors):
			return err
		}
	}
	return ui.renderWebhookEdit(w, r, http.StatusUnprocessableEntity, webhookEditData{Endpoint: e, Form: f})
}
