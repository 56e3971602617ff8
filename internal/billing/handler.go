package billing

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
)

// Result is what applying an event did.
type Result struct {
	Duplicate bool   // the event id was seen before: nothing changed
	Outcome   string // applied, stale, unmatched, ignored, or why it was refused
}

// Ledger applies events; the store implements it, each event in one transaction with
// the record of its id.
type Ledger interface {
	StripeIgnored(ctx context.Context, ev Event) (Result, error)
	StripeCustomer(ctx context.Context, ev Event, c Customer) (Result, error)
	StripeSubscription(ctx context.Context, ev Event, s Subscription, mrr int64) (Result, error)
	StripeInvoice(ctx context.Context, ev Event, inv Invoice, state string) (Result, error)
}

// Hook serves POST /hooks/stripe.
type Hook struct {
	Ledger  Ledger
	Secrets []string // CLOSELOOP_STRIPE_SECRET: the endpoint's signing secret, two while rotating
	Log     *slog.Logger
	Now     func() time.Time
	// Refused limits failed signature checks per client address (nil: no limit).
	// Only failures count, so Stripe's own bursts are never slowed; a forger is cut
	// off with 429 after the burst.
	Refused  *auth.Limiter
	ClientIP func(*http.Request) string
}

// maxBody bounds an event: Stripe's are a few KB, a subscription with many items tens.
const maxBody = 1 << 20

// Handle verifies and applies one event. Stripe retries any non-2xx for three days,
// so only what a retry could fix (a bad signature from a misconfigured secret, a
// database error) is answered with one; an event closeloop cannot use is answered 200
// with the reason and kept.
func (h *Hook) Handle(w http.ResponseWriter, r *http.Request) error {
	if len(h.Secrets) == 0 {
		return reply(w, http.StatusNotFound, map[string]string{"error": "Stripe is not configured (CLOSELOOP_STRIPE_SECRET)"})
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return reply(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "event larger than 1 MB"})
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	if _, err := Verify(r.Header.Get("Stripe-Signature"), body, h.Secrets, now()); err != nil {
		if h.Refused != nil && h.ClientIP != nil && !h.Refused.AllowCtx(r.Context(), h.ClientIP(r)) {
			w.Header().Set("Retry-After", "60")
			return reply(w, http.StatusTooManyRequests, map[string]string{"error": "too many requests with a bad signature"})
		}
		return reply(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" || ev.Type == "" {
		return reply(w, http.StatusBadRequest, map[string]string{"error": "not a Stripe event (needs id, type and data.object)"})
	}
	res, err := h.apply(r.Context(), ev)
	if err != nil {
		var bad *badObject
		if errors.As(err, &bad) { // signed by Stripe but not a shape we read: keep it, say why
			res, err = h.Ledger.StripeIgnored(r.Context(), ev)
			if err == nil && !res.Duplicate {
				res.Outcome = "ignored: " + bad.Error()
			}
		}
		if err != nil {
			return err
		}
	}
	status := res.Outcome
	if res.Duplicate {
		status = "duplicate"
	}
	if h.Log != nil {
		h.Log.Info("stripe event", "id", ev.ID, "type", ev.Type, "status", status)
	}
	return reply(w, http.StatusOK, map[string]string{"status": status, "id": ev.ID})
}

type badObject struct{ err error }

func (b *badObject) Error() string { return "data.object: " + b.err.Error() }

func (h *Hook) apply(ctx context.Context, ev Event) (Result, error) {
	switch ev.Type {
	case "customer.created", "customer.updated":
		var c Customer
		if err := json.Unmarshal(ev.Data.Object, &c); err != nil || c.ID == "" {
			return Result{}, &badObject{orMissing(err, "id")}
		}
		return h.Ledger.StripeCustomer(ctx, ev, c)
	case "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
		"customer.subscription.paused", "customer.subscription.resumed":
		var s Subscription
		if err := json.Unmarshal(ev.Data.Object, &s); err != nil || s.ID == "" || s.Customer == "" {
			return Result{}, &badObject{orMissing(err, "id or customer")}
		}
		if ev.Type == "customer.subscription.deleted" {
			s.Status = "canceled" // whatever the object says, it bills no more
		}
		mrr, err := MRR(s)
		if err != nil {
			return Result{}, &badObject{err}
		}
		return h.Ledger.StripeSubscription(ctx, ev, s, mrr)
	case "invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed":
		var inv Invoice
		if err := json.Unmarshal(ev.Data.Object, &inv); err != nil || inv.ID == "" || inv.Customer == "" {
			return Result{}, &badObject{orMissing(err, "id or customer")}
		}
		state := "ok"
		if ev.Type == "invoice.payment_failed" {
			state = "failed"
		}
		return h.Ledger.StripeInvoice(ctx, ev, inv, state)
	}
	return h.Ledger.StripeIgnored(ctx, ev)
}

func orMissing(err error, what string) error {
	if err != nil {
		return err
	}
	return errors.New("missing " + what)
}

func reply(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}
