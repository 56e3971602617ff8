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
	"github.com/closeloop/closeloop/internal/jobs"
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
	// Resolve looks up webhook hosts for the egress check (egress.go); nil is the
	// system resolver. Tests set it to play DNS rebinding.
	Resolve Resolver
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

// Job is the outbox as a background job: every instance runs it (rows are claimed
// one by one, so instances share the work), draining what is due every Interval.
func (w *Worker) Job() jobs.Job {
	interval := w.Interval
	if interval <= 0 {
		interval = 5 * time.Second
	}
	return jobs.Job{Name: "outbox", Help: "sends queued email and webhooks, with retries", Scope: jobs.Instance,
		Schedule: jobs.Every(interval), Run: func(ctx context.Context, _ string) error { return w.Drain(ctx) }}
}

// Drain ticks until a tick finds less than a full batch due, or ctx ends.
func (w *Worker) Drain(ctx context.Context) error {
	for ctx.Err() == nil {
		n, err := w.Tick(ctx)
		if err != nil {
			return err
		}
		if n < w.batch() {
			return nil
		}
	}
	return nil
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
	for i, it := range items {
		if ctx.Err() != nil {
			// Shutdown: hand back what was claimed but not yet attempted, so that the
			// next start (or another instance) sends it at once rather than after the
			// lease runs out.
			rest := make([]string, 0, len(items)-i)
			for _, r := range items[i:] {
				rest = append(rest, r.ID)
			}
			if err := w.Store.ReleaseOutbox(context.WithoutCancel(ctx), rest); err != nil {
				return i, err
			}
			return i, nil
		}
		out := w.attempt(ctx, it, &smtp)
		if out.err != nil {
			return i, out.err
		}
		res := out.res
		res.ID, res.At = it.ID, w.now()
		if out.transient {
			res.RetryAt = retryAt(w.backoff(), it.Attempts, res.At)
		}
		// Record the outcome even when shutdown began during the send.
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

// sendTimeout bounds one attempt. A send is never cut short by shutdown (ctx): a
// message the receiver accepted while we hung up would be recorded as failed and
// sent again after the restart, so shutdown waits for the attempt instead.
const sendTimeout = 60 * time.Second

// attempt makes one delivery attempt of a claimed row.
func (w *Worker) attempt(ctx context.Context, it store.OutboxItem, smtp **SMTPSettings) outcome {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	defer cancel()
	switch it.Kind {
	case store.OutboxEmail:
		if *smtp == nil {
			s, err := LoadSMTP(sctx, w.Store)
			if err != nil {
				return outcome{err: err}
			}
			*smtp = &s
		}
		return w.sendEmail(sctx, it, **smtp)
	case store.OutboxWebhook:
		return w.deliverWebhook(sctx, it)
	case store.OutboxSlack:
		return w.deliverSlack(sctx, it)
	default:
		return skip(fmt.Sprintf("unknown outbox kind %q", it.Kind))
	}
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
	err       error // the attempt could not be made (settings unreadable): stop the tick
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
	return w.post(ctx, req)
}

// post sends an outbound POST (a webhook, a Slack message) through the egress rules:
// delivered on 2xx; a refused address gives up at once; anything else is retried.
func (w *Worker) post(ctx context.Context, req *http.Request) outcome {
	client := w.HTTPClient
	if client == nil {
		eg, err := LoadEgress(ctx, w.Store)
		if err != nil {
			return retry(err)
		}
		client = egressClient(eg, w.Resolve)
	}
	resp, err := client.Do(req)
	if errors.Is(err, ErrNotPublic) {
		return giveUp(fmt.Errorf("refused: %w", errors.Unwrap(err)))
	}
	if err != nil {
		return retry(err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return delivered(nil)
	}
	// Slack answers 4xx for a revoked or wrong URL ("no_service", "invalid_token"), and
	// a webhook receiver may too: retrying will not help until an admin fixes it, but
	// the budget is short anyway.
	return retry(fmt.Errorf("HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(snippet))))
}
