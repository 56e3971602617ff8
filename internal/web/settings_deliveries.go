package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// deliveryRow is one outbox row as the admin reads it.
type deliveryRow struct {
	store.OutboxItem
	Target string // the email address or the endpoint URL
	What   string // the subject or the event
}

// CanRetry says whether "retry now" applies.
func (d deliveryRow) CanRetry() bool {
	return d.Status == store.OutboxFailed || d.Status == store.OutboxSkipped
}

type deliveriesData struct {
	Rows     []deliveryRow
	Status   string
	Kind     string
	Ref      string
	Statuses []string
	Show     *deliveryRow // the row whose attempts are listed
	Attempts []store.OutboxAttempt
}

var outboxStatuses = []string{store.OutboxQueued, store.OutboxSending, store.OutboxSent, store.OutboxFailed, store.OutboxSkipped}

func oneOf(v string, allowed ...string) string {
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	return ""
}

// deliveriesPage: GET /settings/deliveries is the outbox: every email and webhook
// delivery, newest first, filtered by status (and kind or target); ?show= lists one
// row's attempts.
func (ui *Web) deliveriesPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	d := deliveriesData{Status: oneOf(q.Get("status"), outboxStatuses...), Kind: oneOf(q.Get("kind"), store.OutboxEmail, store.OutboxWebhook, store.OutboxSlack),
		Ref: q.Get("ref"), Statuses: outboxStatuses}
	if len(d.Ref) > 100 {
		d.Ref = ""
	}
	items, err := ui.Store.ListOutbox(ctx, store.OutboxFilter{Status: d.Status, Kind: d.Kind, Ref: d.Ref, Limit: 200})
	if err != nil {
		return err
	}
	eps, err := ui.Store.ListWebhookEndpoints(ctx)
	if err != nil {
		return err
	}
	urls := map[string]string{}
	for _, e := range eps {
		urls[e.ID] = e.URL
	}
	for _, it := range items {
		d.Rows = append(d.Rows, describeDelivery(it, urls))
	}
	if id := q.Get("show"); id != "" {
		it, err := ui.Store.GetOutbox(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return router.NotFound("delivery")
		}
		if err != nil {
			return err
		}
		row := describeDelivery(it, urls)
		d.Show = &row
		if d.Attempts, err = ui.Store.OutboxAttempts(ctx, id); err != nil {
			return err
		}
	}
	return ui.render(w, r, http.StatusOK, "settings_deliveries", "Deliveries", "settings", d)
}

func describeDelivery(it store.OutboxItem, urls map[string]string) deliveryRow {
	row := deliveryRow{OutboxItem: it}
	switch it.Kind {
	case store.OutboxEmail:
		var p notify.EmailPayload
		if json.Unmarshal(it.Payload, &p) == nil {
			row.Target, row.What = p.Message.ToEmail, p.Message.Subject
		}
	case store.OutboxWebhook:
		var p store.WebhookPayload
		if json.Unmarshal(it.Payload, &p) == nil {
			row.What = p.Event
			if row.Target = urls[p.EndpointID]; row.Target == "" {
				row.Target = "(deleted endpoint)"
			}
		}
	case store.OutboxSlack:
		var m store.SlackMessage
		if json.Unmarshal(it.Payload, &m) == nil {
			row.Target, row.What = "Slack", m.Text // never the URL: it is the credential
		}
	}
	return row
}

// deliveryRetry: POST /settings/deliveries/{id}/retry puts a failed or skipped
// delivery back in the queue with a fresh retry budget.
func (ui *Web) deliveryRetry(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := ui.Store.RequeueOutbox(r.Context(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return router.Errorf(http.StatusConflict, "only a failed or skipped delivery can be retried; this one is not (or no longer exists)")
		}
		return err
	}
	ui.Log.Info("outbox retry", "outbox", id, "by", router.From(r).Member.ID)
	ui.setFlash(w, "Queued again: it goes out on the worker's next round.")
	back := "/settings/deliveries"
	if s := oneOf(r.URL.Query().Get("status"), outboxStatuses...); s != "" {
		back += "?status=" + url.QueryEscape(s)
	}
	return seeOther(w, r, back)
}
