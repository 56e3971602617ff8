package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/store"
)

// Worker drains the outbox: it claims due rows, sends them, and records the outcome.
// Every app instance may run one; claims never hand a row to two workers.
type Worker struct {
	Store *store.Store
	// Now is the worker's clock (tests advance it to reach retries); default time.Now.
	Now func() time.Time
	// Backoff is the wait before each retry; default DefaultBackoff.
	Backoff []time.Duration
	// Interval is how often Run looks for due rows; default 5s.
	Interval time.Duration
	// Batch is how many rows one Tick claims; default 20.
	Batch int
	// Lease is how long a claimed row stays ours before another worker may take it
	// (we crashed); default 5 minutes, longer than any single send.
	Lease time.Duration
	// HTTPClient delivers webhooks; default: 15s timeout, redirects not followed (a
	// redirected POST would arrive as a GET, so a 3xx counts as a failure).
	HTTPClient *http.Client
	// MailerTLS overrides the SMTP TLS configuration (a private CA); nil is normal.
	MailerTLS *tls.Config
	Log       *slog.Logger
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now().UTC()
	}
	return time.Now().UTC()
}

func (w *Worker) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.Default()
}

// Run ticks until ctx ends, at once again when a tick found a full batch.
func (w *Worker) Run(ctx context.Context) error {
	interval := w.Interval
	if interval <= 0 {
		interval = 5 * time.Second
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		n, err := w.Tick(ctx)
		if err != nil && ctx.Err() == nil {
			w.log().Error("outbox tick failed", "err", err)
		}
		if n > 0 && n >= w.batch() {
			t.Reset(0)
		} else {
			t.Reset(interval)
		}
	}
}

func (w *Worker) batch() int {
	if w.Batch > 0 {
		return w.Batch
	}
	return 20
}

// Tick processes the rows due now, once, and reports how many it attempted.
func (w *Worker) Tick(ctx context.Context) (int, error) {
	lease := w.Lease
	if lease <= 0 {
		lease = 5 * time.Minute
	}
	items, err := w.Store.ClaimOutbox(ctx, w.now(), w.batch(), lease)
	if err != nil {
		return 0, err
	}
	var smtp *SMTPSettings // loaded once per tick, when an email is due
	for _, it := range items {
		var out outcome
		switch it.Kind {
		case store.OutboxEmail:
			if smtp == nil {
				s, err := LoadSMTP(ctx, w.Store)
				if err != nil {
					return 0, err
				}
				smtp = &s
			}
			out = w.sendEmail(ctx, it, *smtp)
		case store.OutboxWebhook:
			out = w.deliverWebhook(ctx, it)
		default:
			out = skip(fmt.Sprintf("unknown outbox kind %q", it.Kind))
		}
		res := out.res
		res.ID, res.At = it.ID, w.now()
		if out.transient {
			res.RetryAt = retryAt(w.backoff(), it.Attempts, res.At)
		}
		// Record the outcome even when ctx was cancelled mid-send (shutdown), so the
		// row does not sit in 'sending' until its lease runs out.
		if err := w.Store.FinishOutbox(context.WithoutCancel(ctx), res); err != nil {
			return len(items), err
		}
		if res.Skipped {
			w.log().Info("outbound message skipped", "id", it.ID, "kind", it.Kind, "why", res.Error)
		} else if !res.OK {
			w.log().Warn("outbound delivery failed", "id", it.ID, "kind", it.Kind, "attempt", it.Attempts, "err", res.Error, "retry_at", res.RetryAt)
		}
	}
	return len(items), nil
}

func (w *Worker) backoff() []time.Duration {
	if w.Backoff != nil {
		return w.Backoff
	}
	return DefaultBackoff
}

// outcome is one attempt's result; transient failures are retried after the backoff
// for the row's attempt count, until the budget is spent.
type outcome struct {
	res       store.OutboxResult
	transient bool
}

func retry(err error) outcome {
	return outcome{res: store.OutboxResult{Error: truncateErr(err.Error())}, transient: true}
}

func giveUp(err error) outcome {
	return outcome{res: store.OutboxResult{Error: truncateErr(err.Error())}}
}

func skip(why string) outcome {
	return outcome{res: store.OutboxResult{Skipped: true, Error: "skipped: " + why}}
}

func delivered(t *account.Touchpoint) outcome {
	return outcome{res: store.OutboxResult{OK: true, Touchpoint: t}}
}

func truncateErr(s string) string {
	if len(s) > 1000 {
		return s[:1000]
	}
	return s
}

func (w *Worker) sendEmail(ctx context.Context, it store.OutboxItem, s SMTPSettings) outcome {
	var p EmailPayload
	if err := json.Unmarshal(it.Payload, &p); err != nil {
		return giveUp(fmt.Errorf("bad payload: %w", err))
	}
	if p.RespectUnsubscribe {
		unsub, err := w.Store.IsUnsubscribed(ctx, p.PersonID, p.Message.ToEmail)
		if err != nil {
			return retry(err)
		}
		if unsub {
			return skip("the recipient unsubscribed")
		}
	}
	if !s.Configured() {
		return retry(ErrNotConfigured) // an admin may configure SMTP before the retries run out
	}
	if p.Message.MessageID == "" {
		p.Message.MessageID = newMessageID(it.ID, s.FromAddress)
	}
	m := Mailer{Settings: s, Now: w.now, TLSConfig: w.MailerTLS}
	if err := m.Send(ctx, p.Message); err != nil {
		if Permanent(err) {
			return giveUp(err)
		}
		return retry(err)
	}
	if p.Touchpoint != "" && p.PersonID != "" {
		return delivered(&account.Touchpoint{PersonID: p.PersonID, Kind: account.Email, Direction: account.Outbound,
			OccurredAt: w.now(), Summary: p.Touchpoint})
	}
	return delivered(nil)
}

// newMessageID derives the Message-ID from the outbox row, so all retries share it.
func newMessageID(key, from string) string {
	domain := "closeloop.invalid"
	if at := strings.LastIndexByte(from, '@'); at >= 0 && at < len(from)-1 {
		domain = from[at+1:]
	}
	return "<" + key + "@" + domain + ">"
}

var defaultHTTP = &http.Client{
	Timeout:       15 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func (w *Worker) deliverWebhook(ctx context.Context, it store.OutboxItem) outcome {
	var p WebhookPayload
	if err := json.Unmarshal(it.Payload, &p); err != nil {
		return giveUp(fmt.Errorf("bad payload: %w", err))
	}
	ep, err := w.Store.GetWebhookEndpoint(ctx, p.EndpointID)
	if errors.Is(err, store.ErrNotFound) {
		return skip("the endpoint was deleted")
	}
	if err != nil {
		return retry(err)
	}
	if !ep.Active {
		return skip("the endpoint is inactive")
	}
	ts := w.now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(p.Body))
	if err != nil {
		return giveUp(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "closeloop-webhooks/1")
	req.Header.Set(HeaderEvent, p.Event)
	req.Header.Set(HeaderDelivery, p.DeliveryID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, Sign(ep.Secret, ts, p.Body))
	client := w.HTTPClient
	if client == nil {
		client = defaultHTTP
	}
	resp, err := client.Do(req)
	if err != nil {
		return retry(err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return delivered(nil)
	}
	return retry(fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(snippet))))
}
