package store

import (
	"context"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/id"
)

// WebhookEndpoint is a URL that receives signed event deliveries. The URL, secret and
// events are validated by notify (which owns the event names) before they get here.
type WebhookEndpoint struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	Secret      string    `json:"-"` // shown once at creation by the caller, never listed
	Events      []string  `json:"events"`
	Description string    `json:"description"`
	Active      bool      `json:"active"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Subscribed reports whether the endpoint wants event.
func (e WebhookEndpoint) Subscribed(event string) bool {
	for _, ev := range e.Events {
		if ev == event || ev == "*" {
			return true
		}
	}
	return false
}

const webhookCols = `id, url, secret, events, description, active, created_at, updated_at`

func scanWebhook(sc interface{ Scan(...any) error }) (WebhookEndpoint, error) {
	var e WebhookEndpoint
	var events string
	var created, updated int64
	err := sc.Scan(&e.ID, &e.URL, &e.Secret, &events, &e.Description, &e.Active, &created, &updated)
	if events != "" {
		e.Events = strings.Split(events, ",")
	}
	e.CreatedAt, e.UpdatedAt = fromMS(created), fromMS(updated)
	return e, wrapf(notFound(err), "scan webhook")
}

// CreateWebhookEndpoint stores a new endpoint.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error {
	now := s.Now()
	e.ID, e.CreatedAt, e.UpdatedAt = id.NewAt(now), now, now
	_, err := s.w.ExecContext(ctx, s.d.rebind(`INSERT INTO webhook_endpoints (id, url, secret, events, description, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), e.ID, e.URL, e.Secret, strings.Join(e.Events, ","), e.Description, e.Active, ms(now), ms(now))
	return wrapf(err, "store: create webhook endpoint")
}

// UpdateWebhookEndpoint saves url, events, description and active; an empty Secret
// keeps the stored one (a non-empty one rotates it).
func (s *Store) UpdateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error {
	e.UpdatedAt = s.Now()
	return wrapf(changed(s.writer().exec(ctx, `UPDATE webhook_endpoints SET url = ?, secret = CASE WHEN ? = '' THEN secret ELSE ? END,
		events = ?, description = ?, active = ?, updated_at = ? WHERE id = ?`,
		e.URL, e.Secret, e.Secret, strings.Join(e.Events, ","), e.Description, e.Active, ms(e.UpdatedAt), e.ID)), "store: update webhook endpoint")
}

// DeleteWebhookEndpoint removes an endpoint; its queued deliveries are skipped by the
// worker when their turn comes.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, endpointID string) error {
	return wrapf(changed(s.writer().exec(ctx, `DELETE FROM webhook_endpoints WHERE id = ?`, endpointID)), "store: delete webhook endpoint %s", endpointID)
}

// GetWebhookEndpoint returns one endpoint with its secret.
func (s *Store) GetWebhookEndpoint(ctx context.Context, endpointID string) (WebhookEndpoint, error) {
	return scanWebhook(s.read().row(ctx, `SELECT `+webhookCols+` FROM webhook_endpoints WHERE id = ?`, endpointID))
}

// ListWebhookEndpoints returns every endpoint (active or not), oldest first.
func (s *Store) ListWebhookEndpoints(ctx context.Context) ([]WebhookEndpoint, error) {
	out, err := collect(ctx, s.read(), scanWebhook, `SELECT `+webhookCols+` FROM webhook_endpoints ORDER BY id`)
	return out, wrapf(err, "store: list webhook endpoints")
}
