package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/billing"
	"github.com/closeloop/closeloop/internal/errs"
)

// Stripe events (migration 0016). Each event is applied in one transaction with the
// record of its id, so a redelivery is a no-op and a crash applies it never or once.

// stripeEvent records ev and runs apply in the same transaction. A refusal by the
// revenue rules (an errs.FieldError: a currency the account does not use, say) is kept
// as the event's outcome rather than failed, since Stripe would retry it for days.
func (s *Store) stripeEvent(ctx context.Context, ev billing.Event, apply func(q q) (string, error)) (billing.Result, error) {
	var res billing.Result
	err := s.tx(ctx, func(q q) error {
		r, err := q.exec(ctx, `INSERT INTO stripe_events (id, type, created, received_at, outcome) VALUES (?, ?, ?, ?, '')
			ON CONFLICT (id) DO NOTHING`, ev.ID, ev.Type, ms(ev.At()), ms(s.Now()))
		if err != nil {
			return fmt.Errorf("store: record stripe event: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			res.Duplicate = true
			return nil
		}
		out, err := apply(q)
		var fe *errs.FieldError
		if errors.As(err, &fe) {
			out, err = "refused: "+fe.Error(), nil
		}
		if err != nil {
			return err
		}
		res.Outcome = out
		_, err = q.exec(ctx, `UPDATE stripe_events SET outcome = ? WHERE id = ?`, out, ev.ID)
		return err
	})
	return res, wrapf(err, "stripe event")
}

// StripeIgnored records an event of a type closeloop does not act on.
func (s *Store) StripeIgnored(ctx context.Context, ev billing.Event) (billing.Result, error) {
	return s.stripeEvent(ctx, ev, func(q) (string, error) { return "ignored", nil })
}

// StripeCustomer records what a customer event says about the customer, matches it
// to an account if it is not yet, and then applies its subscriptions' MRR.
func (s *Store) StripeCustomer(ctx context.Context, ev billing.Event, c billing.Customer) (billing.Result, error) {
	return s.stripeEvent(ctx, ev, func(q q) (string, error) {
		at := ms(ev.At())
		r, err := q.exec(ctx, `INSERT INTO stripe_customers (id, email, name, account_key, updated) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET email = excluded.email, name = excluded.name, account_key = excluded.account_key, updated = excluded.updated
			WHERE stripe_customers.updated <= excluded.updated`, c.ID, c.Email, c.Name, strings.TrimSpace(c.Metadata[billing.AccountKey]), at)
		if err != nil {
			return "", fmt.Errorf("store: stripe customer: %w", err)
		}
		return s.stripeApplied(ctx, q, r, c.ID, ev.At(), "Stripe customer "+c.ID)
	})
}

// StripeSubscription records a subscription's state (unless a later event already
// described it: Stripe does not deliver in order) and sets its account's MRR to the
// sum of the account's subscriptions.
func (s *Store) StripeSubscription(ctx context.Context, ev billing.Event, sub billing.Subscription, mrr int64) (billing.Result, error) {
	return s.stripeEvent(ctx, ev, func(q q) (string, error) {
		customer := string(sub.Customer)
		r, err := q.exec(ctx, `INSERT INTO stripe_subscriptions (id, customer_id, status, currency, mrr, updated) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, status = excluded.status, currency = excluded.currency,
				mrr = excluded.mrr, updated = excluded.updated
			WHERE stripe_subscriptions.updated <= excluded.updated`, sub.ID, customer, sub.Status, strings.ToUpper(sub.Currency), mrr, ms(ev.At()))
		if err != nil {
			return "", fmt.Errorf("store: stripe subscription: %w", err)
		}
		return s.stripeApplied(ctx, q, r, customer, ev.At(), "Stripe "+sub.ID)
	})
}

// StripeInvoice records an invoice's payment (state "ok" when paid, "failed" when a
// payment failed) on its customer, the latest by event time.
func (s *Store) StripeInvoice(ctx context.Context, ev billing.Event, inv billing.Invoice, state string) (billing.Result, error) {
	return s.stripeEvent(ctx, ev, func(q q) (string, error) {
		customer := string(inv.Customer)
		if _, err := q.exec(ctx, `INSERT INTO stripe_customers (id, updated) VALUES (?, 0) ON CONFLICT (id) DO NOTHING`, customer); err != nil {
			return "", fmt.Errorf("store: stripe invoice customer: %w", err)
		}
		amount := inv.AmountDue
		if state == "ok" {
			amount = inv.AmountPaid
		}
		r, err := q.exec(ctx, `UPDATE stripe_customers SET payment_state = ?, payment_invoice = ?, payment_amount = ?, payment_currency = ?, payment_at = ?
			WHERE id = ? AND payment_at <= ?`, state, inv.ID, amount, strings.ToUpper(inv.Currency), ms(ev.At()), customer, ms(ev.At()))
		if err != nil {
			return "", fmt.Errorf("store: stripe invoice: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return "stale", nil
		}
		acct, err := s.stripeAccount(ctx, q, customer)
		if err != nil || acct == "" {
			return "unmatched", err
		}
		return "applied", s.paymentEvent(ctx, q, acct, customer)
	})
}

// EventPaymentFailed and EventPaymentSucceeded are the event-log kinds of a customer's payment state: the
// health loop's payment signal reads them.
const (
	EventPaymentFailed    = "payment.failed"
	EventPaymentSucceeded = "payment.succeeded"
)

// paymentEvent appends the customer's current payment state to the event log, for
// the account it now belongs to.
func (s *Store) paymentEvent(ctx context.Context, q q, accountID, customer string) error {
	var state, invoice, currency string
	var amount, at int64
	if err := q.row(ctx, `SELECT payment_state, payment_invoice, payment_amount, payment_currency, payment_at FROM stripe_customers WHERE id = ?`,
		customer).Scan(&state, &invoice, &amount, &currency, &at); err != nil {
		return fmt.Errorf("store: payment state of %s: %w", customer, err)
	}
	kind := EventPaymentSucceeded
	switch state {
	case "":
		return nil
	case "failed":
		kind = EventPaymentFailed
	}
	return wrapf(s.appendEvent(ctx, q, kind, accountID, invoice, map[string]any{
		"customer": customer, "invoice": invoice, "amount": amount, "currency": currency, "at": fromMS(at)}), "payment event")
}

// stripeAccount is the account a Stripe customer is, matching it if it is not yet:
// by the closeloop_account metadata key (an account's external id or id), then by an
// account whose external id is the customer id, then by the one account whose domain
// is the customer's email domain. "" when nothing matches (an admin links it).
func (s *Store) stripeAccount(ctx context.Context, q q, customer string) (string, error) {
	if _, err := q.exec(ctx, `INSERT INTO stripe_customers (id, updated) VALUES (?, 0) ON CONFLICT (id) DO NOTHING`, customer); err != nil {
		return "", fmt.Errorf("stripe account: %w", err)
	}
	var acct sql.NullString
	var key, email string
	if err := q.row(ctx, `SELECT account_id, account_key, email FROM stripe_customers WHERE id = ?`, customer).Scan(&acct, &key, &email); err != nil {
		return "", fmt.Errorf("store: stripe customer %s: %w", customer, err)
	}
	if acct.Valid {
		return acct.String, nil
	}
	var found string
	try := func(query string, args ...any) error {
		if found != "" {
			return nil
		}
		ids, err := strs(ctx, q, query, args...)
		if err == nil && len(ids) == 1 {
			found = ids[0]
		}
		return err
	}
	if key != "" {
		if err := try(`SELECT id FROM accounts WHERE (external_id = ? AND external_id <> '') OR id = ? LIMIT 2`, key, key); err != nil {
			return "", fmt.Errorf("stripe account: %w", err)
		}
	}
	if err := try(`SELECT id FROM accounts WHERE external_id = ? AND external_id <> '' LIMIT 2`, customer); err != nil {
		return "", fmt.Errorf("stripe account: %w", err)
	}
	if domain := (billing.Customer{Email: email}).Domain(); domain != "" {
		if err := try(`SELECT id FROM accounts WHERE domain = ? LIMIT 2`, domain); err != nil {
			return "", fmt.Errorf("stripe account: %w", err)
		}
	}
	if found == "" {
		return "", nil
	}
	_, err := q.exec(ctx, `UPDATE stripe_customers SET account_id = ? WHERE id = ?`, found, customer)
	return found, wrapf(err, "stripe account")
}

// stripeApplied is the outcome of a customer or subscription event once r wrote its
// row: "stale" when a later event already had, "unmatched" when the customer has no
// account, else "applied" with the account's MRR set to its subscriptions'.
func (s *Store) stripeApplied(ctx context.Context, q q, r sql.Result, customer string, at time.Time, note string) (string, error) {
	if n, _ := r.RowsAffected(); n == 0 {
		return "stale", nil
	}
	acct, err := s.stripeAccount(ctx, q, customer)
	if err != nil || acct == "" {
		return "unmatched", err
	}
	return "applied", s.stripeApplyMRR(ctx, q, acct, at, note)
}

// stripeApplyMRR sets the account's MRR to the sum of its Stripe subscriptions.
func (s *Store) stripeApplyMRR(ctx context.Context, q q, accountID string, at time.Time, note string) error {
	type sum struct {
		cur string
		n   int64
	}
	sums, err := collect(ctx, q, func(sc scanner) (sum, error) {
		var x sum
		err := sc.Scan(&x.cur, &x.n)
		return x, err
	}, `SELECT sub.currency, SUM(sub.mrr) FROM stripe_subscriptions sub JOIN stripe_customers c ON c.id = sub.customer_id
		WHERE c.account_id = ? GROUP BY sub.currency ORDER BY SUM(sub.mrr) DESC, sub.currency`, accountID)
	if err != nil || len(sums) == 0 {
		return wrapf(err, "stripe apply mrr")
	}
	if len(sums) > 1 && sums[1].n > 0 {
		return errs.Invalidf("currency", "the account's Stripe subscriptions bill in %s and %s; closeloop keeps one currency per account", sums[0].cur, sums[1].cur)
	}
	st, _, err := s.revenueState(ctx, q, accountID)
	if err != nil {
		return fmt.Errorf("stripe apply mrr: %w", err)
	}
	if at.Before(st.LastMovement) { // a later movement was entered by hand: the change is as of it
		at = st.LastMovement
	}
	_, _, err = s.setMRR(ctx, q, accountID, sums[0].n, sums[0].cur, at, note)
	return wrapf(err, "stripe apply mrr")
}

// StripeCustomerRow is a Stripe customer as an admin sees it.
type StripeCustomerRow struct {
	ID, Email, Name, AccountKey, AccountID string
	MRR                                    int64
	Currency                               string
	PaymentState                           string
}

// ListStripeUnmatched lists the Stripe customers no account matched yet, with what
// they bill: their subscriptions wait for an admin to link them.
func (s *Store) ListStripeUnmatched(ctx context.Context) ([]StripeCustomerRow, error) {
	out, err := collect(ctx, s.read(), func(sc scanner) (StripeCustomerRow, error) {
		var c StripeCustomerRow
		err := sc.Scan(&c.ID, &c.Email, &c.Name, &c.AccountKey, &c.MRR, &c.Currency, &c.PaymentState)
		return c, err
	}, `SELECT c.id, c.email, c.name, c.account_key, COALESCE(SUM(sub.mrr), 0), COALESCE(MAX(sub.currency), ''), c.payment_state
		FROM stripe_customers c LEFT JOIN stripe_subscriptions sub ON sub.customer_id = c.id
		WHERE c.account_id IS NULL GROUP BY c.id, c.email, c.name, c.account_key, c.payment_state ORDER BY c.id LIMIT 1000`)
	return out, wrapf(err, "store: list stripe unmatched")
}

// LinkStripeCustomer makes a Stripe customer the account's and applies its MRR.
func (s *Store) LinkStripeCustomer(ctx context.Context, customerID, accountID string) error {
	return wrapf(s.tx(ctx, func(q q) error {
		if _, _, err := s.revenueState(ctx, q, accountID); err != nil {
			return err
		}
		r, err := q.exec(ctx, `UPDATE stripe_customers SET account_id = ? WHERE id = ?`, accountID, customerID)
		if err != nil {
			return fmt.Errorf("store: link stripe customer: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return errs.NotFound("stripe customer " + customerID)
		}
		if err := s.stripeApplyMRR(ctx, q, accountID, s.Now(), "Stripe customer "+customerID+" linked"); err != nil {
			return err
		}
		return s.paymentEvent(ctx, q, accountID, customerID)
	}), "store: link stripe customer customerID=%v accountID=%v", customerID, accountID)
}

// PaymentState is an account's latest invoice outcome from Stripe ("" when none).
func (s *Store) PaymentState(ctx context.Context, accountID string) (state string, at time.Time, err error) {
	var when int64
	err = s.read().row(ctx, `SELECT payment_state, payment_at FROM stripe_customers WHERE account_id = ? AND payment_state <> ''
		ORDER BY payment_at DESC LIMIT 1`, accountID).Scan(&state, &when)
	if errors.Is(err, sql.ErrNoRows) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, fmt.Errorf("store: payment state: %w", err)
	}
	return state, fromMS(when), nil
}

// StripeEventRow is a received Stripe event and what it did.
type StripeEventRow struct {
	ID, Type, Outcome string
	Created, Received time.Time
}

// ListStripeEvents lists the latest received events, newest first.
func (s *Store) ListStripeEvents(ctx context.Context, limit int) ([]StripeEventRow, error) {
	out, err := collect(ctx, s.read(), func(sc scanner) (StripeEventRow, error) {
		var e StripeEventRow
		var c, r int64
		err := sc.Scan(&e.ID, &e.Type, &e.Outcome, &c, &r)
		e.Created, e.Received = fromMS(c), fromMS(r)
		return e, err
	}, `SELECT id, type, outcome, created, received_at FROM stripe_events ORDER BY received_at DESC, id DESC LIMIT ?`, limit)
	return out, wrapf(err, "store: list stripe events")
}
