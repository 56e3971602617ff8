package notify

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/jobs"
	"github.com/closeloop/closeloop/internal/store"
)

// SlackKey is the settings row holding the Slack incoming-webhook URL. The URL is the
// credential (anyone who has it can post to the channel), so it is stored like the
// SMTP password and never shown back in full (Masked).
const SlackKey = "slack_webhook"

// SlackSettings is the optional Slack alert for accounts turning red.
type SlackSettings struct {
	URL string `json:"url"` // "" is off
}

// LoadSlack reads the settings; unset is off.
func LoadSlack(ctx context.Context, st *store.Store) (SlackSettings, error) {
	var s SlackSettings
	_, err := st.GetSetting(ctx, SlackKey, &s)
	return s, err
}

// SaveSlack checks and stores the webhook URL ("" turns the alert off). The URL
// passes the same egress check as a webhook endpoint: a host that is not public is
// refused unless an admin allowed it (Settings → Webhooks).
func SaveSlack(ctx context.Context, st *store.Store, raw string) error {
	raw = strings.TrimSpace(raw)
	if raw != "" {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || len(raw) > 2048 {
			return errs.Invalid("url", "must be an http(s) URL without credentials, such as https://hooks.slack.com/services/…")
		}
		if err := checkEndpointURL(ctx, st, nil, raw); err != nil {
			return err
		}
	}
	return st.PutSetting(ctx, SlackKey, SlackSettings{URL: raw})
}

// Masked shows enough of the URL to recognise it: the host and the last four
// characters.
func (s SlackSettings) Masked() string {
	if s.URL == "" {
		return ""
	}
	u, err := url.Parse(s.URL)
	if err != nil || len(s.URL) < 12 {
		return "…"
	}
	return u.Scheme + "://" + u.Host + "/…" + s.URL[len(s.URL)-4:]
}

// SlackJob is the Slack alerts as a consumer of the domain event log: every period
// it turns the health.changed events into red after its checkpoint into outbox rows
// (store.QueueSlackAlerts), which the outbox job posts. With no webhook URL set it
// still moves its checkpoint, so nothing is sent and nothing piles up.
func SlackJob(st *store.Store, baseURL string, every time.Duration) jobs.Job {
	if every <= 0 {
		every = 5 * time.Second
	}
	return jobs.Job{Name: "slack-alerts", Help: "queues a Slack message for each account that turned red, when a Slack webhook is set",
		Schedule: jobs.Every(every), Run: func(ctx context.Context, _ string) error {
			return QueueSlack(ctx, st, baseURL)
		}}
}

// QueueSlack runs the Slack consumer until it has caught up.
func QueueSlack(ctx context.Context, st *store.Store, baseURL string) error {
	for ctx.Err() == nil {
		s, err := LoadSlack(ctx, st)
		if err != nil {
			return err
		}
		n, _, err := st.QueueSlackAlerts(ctx, fanOutBatch, s.URL != "", baseURL)
		if err != nil || n < fanOutBatch {
			return err
		}
	}
	return nil
}

// deliverSlack posts a queued message to the webhook URL set now (one changed since
// is where it goes; none, and it is skipped), through the egress rules of webhooks.
func (w *Worker) deliverSlack(ctx context.Context, it store.OutboxItem) outcome {
	s, err := LoadSlack(ctx, w.Store)
	if err != nil {
		return retry(err)
	}
	if s.URL == "" {
		return skip("no Slack webhook is set")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(it.Payload))
	if err != nil {
		return giveUp(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "closeloop-webhooks/1")
	return w.post(ctx, req)
}
