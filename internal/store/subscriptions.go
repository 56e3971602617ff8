package store

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/revenue"
)

// SubscriptionResult counts what an import did.
type SubscriptionResult struct {
	Created   int `json:"created"`   // subscriptions new to closeloop
	Updated   int `json:"updated"`   // subscriptions whose fields changed
	Unchanged int `json:"unchanged"` // subscriptions already stored as given
	Accounts  int `json:"accounts_rederived"`
	Movements int `json:"movements_written"`
}

// subscriptionNote marks the movements derived from imported subscriptions.
const subscriptionNote = "derived from imported subscriptions"

// ImportSubscriptions stores subscription periods and re-derives the MRR movements
// of every account they touch, in one transaction: all or nothing, and a bad item is
// an errs.ItemError (its index) around an errs.FieldError (its field). An account's
// movements are the schedule of all its subscriptions (stored ones and these, a
// subscription id given again replaces the stored one), turned into movements by the
// "set MRR" rules. An account whose movements already match is left untouched, so
// importing the same file twice changes nothing. An account with movements entered
// by hand and no subscriptions is refused rather than overwritten.
func (s *Store) ImportSubscriptions(ctx context.Context, subs []revenue.Subscription) (SubscriptionResult, error) {
	var res SubscriptionResult
	type key struct{ acct, sub string }
	seen := map[key]int{}
	for i, sub := range subs {
		if err := sub.Check(); err != nil {
			return res, errs.Item(i, err)
		}
		k := key{sub.AccountExternalID, sub.ID}
		if j, dup := seen[k]; dup {
			return res, errs.Item(i, errs.Invalidf("subscription_id", "subscription %q of account %q is also item %d", sub.ID, sub.AccountExternalID, j+1))
		}
		seen[k] = i
	}
	err := s.tx(ctx, func(q q) error {
		res = SubscriptionResult{}
		byAccount := map[string][]int{} // account id → indexes into subs
		var order []string
		ids := map[string]string{}
		for i, sub := range subs {
			id, ok := ids[sub.AccountExternalID]
			if !ok {
				err := q.row(ctx, `SELECT id FROM accounts WHERE external_id = ?`, sub.AccountExternalID).Scan(&id)
				if err != nil {
					if errors.Is(notFound(err), ErrNotFound) {
						return errs.Item(i, errs.Invalidf("account_external_id", "no account has external id %q; import the accounts first", sub.AccountExternalID))
					}
					return err
				}
				ids[sub.AccountExternalID] = id
				order = append(order, id)
			}
			byAccount[id] = append(byAccount[id], i)
		}
		for _, acct := range order {
			if err := s.importAccountSubscriptions(ctx, q, acct, subs, byAccount[acct], &res); err != nil {
				return err
			}
		}
		return nil
	})
	return res, wrapf(err, "store: import subscriptions")
}

func (s *Store) importAccountSubscriptions(ctx context.Context, q q, acct string, subs []revenue.Subscription, idx []int, res *SubscriptionResult) error {
	stored, err := s.accountSubscriptions(ctx, q, acct)
	if err != nil {
		return fmt.Errorf("import account subscriptions: %w", err)
	}
	byID := map[string]revenue.Subscription{}
	for _, st := range stored {
		byID[st.ID] = st
	}
	for _, i := range idx {
		sub := subs[i]
		old, had := byID[sub.ID]
		old.AccountExternalID = sub.AccountExternalID
		switch {
		case !had:
			res.Created++
		case sameSubscription(old, sub):
			res.Unchanged++
			continue
		default:
			res.Updated++
		}
		byID[sub.ID] = sub
		if _, err := q.exec(ctx, `INSERT INTO subscriptions (account_id, external_id, plan, starts_at, ends_at, mrr, quantity, currency, imported_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (account_id, external_id) DO UPDATE SET plan = excluded.plan, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
				mrr = excluded.mrr, quantity = excluded.quantity, currency = excluded.currency, imported_at = excluded.imported_at`,
			acct, sub.ID, sub.Plan, ms(sub.Start), ms(sub.End), sub.MRR, max(sub.Quantity, 1), sub.Currency, ms(s.Now())); err != nil {
			return fmt.Errorf("import account subscriptions: %w", err)
		}
	}
	all := make([]revenue.Subscription, 0, len(byID))
	for _, v := range byID {
		all = append(all, v)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	pts, err := revenue.Schedule(all)
	if err != nil {
		return errs.Item(idx[0], err)
	}
	want, err := revenue.Derive(pts, all[0].Currency)
	if err != nil {
		return errs.Item(idx[0], err)
	}
	have, err := accountMovements(ctx, q, acct)
	if err != nil {
		return fmt.Errorf("import account subscriptions: %w", err)
	}
	if len(stored) == 0 && len(have) > 0 {
		return errs.Item(idx[0], errs.Invalidf("account_external_id",
			"account %q already has %d MRR movements entered by hand; importing subscriptions would replace them", subs[idx[0]].AccountExternalID, len(have)))
	}
	if sameMovements(have, want) {
		return nil
	}
	if _, err := q.exec(ctx, `DELETE FROM mrr_movements WHERE account_id = ?`, acct); err != nil {
		return fmt.Errorf("import account subscriptions: %w", err)
	}
	if _, err := q.exec(ctx, `UPDATE accounts SET mrr = 0, currency = '', had_revenue = FALSE, last_movement_at = 0, churned_mrr = 0 WHERE id = ?`, acct); err != nil {
		return fmt.Errorf("import account subscriptions: %w", err)
	}
	for i := range want {
		st, stage, err := s.revenueState(ctx, q, acct)
		if err != nil {
			return fmt.Errorf("import account subscriptions: %w", err)
		}
		m := want[i]
		m.AccountID, m.Note = acct, subscriptionNote
		if err := s.recordMovement(ctx, q, st, stage, &m); err != nil {
			return fmt.Errorf("import account subscriptions: %w", err)
		}
	}
	res.Accounts++
	res.Movements += len(want)
	return nil
}

func sameSubscription(a, b revenue.Subscription) bool {
	return a.Plan == b.Plan && a.Start.Equal(b.Start) && a.End.Equal(b.End) && a.MRR == b.MRR &&
		max(a.Quantity, 1) == max(b.Quantity, 1) && a.Currency == b.Currency
}

func sameMovements(have, want []revenue.Movement) bool {
	if len(have) != len(want) {
		return false
	}
	for i, w := range want {
		h := have[i]
		if h.Kind != w.Kind || h.Delta != w.Delta || h.MRRAfter != w.MRRAfter || h.Currency != w.Currency || !h.EffectiveAt.Equal(w.EffectiveAt) {
			return false
		}
	}
	return true
}

func (s *Store) accountSubscriptions(ctx context.Context, q q, acct string) ([]revenue.Subscription, error) {
	out, err := collect(ctx, q, func(sc scanner) (revenue.Subscription, error) {
		var sub revenue.Subscription
		var start, end int64
		err := sc.Scan(&sub.ID, &sub.Plan, &start, &end, &sub.MRR, &sub.Quantity, &sub.Currency)
		sub.Start, sub.End = fromMS(start), fromMS(end)
		return sub, err
	}, `SELECT external_id, plan, starts_at, ends_at, mrr, quantity, currency FROM subscriptions WHERE account_id = ? ORDER BY external_id`, acct)
	return out, wrapf(err, "account subscriptions")
}

// Subscriptions lists an account's imported subscriptions.
func (s *Store) Subscriptions(ctx context.Context, accountID string) ([]revenue.Subscription, error) {
	out, err := s.accountSubscriptions(ctx, s.read(), accountID)
	if err != nil {
		return nil, fmt.Errorf("subscriptions: %w", err)
	}
	return out, nil
}

// accountMovements reads an account's movements oldest first inside the transaction.
func accountMovements(ctx context.Context, q q, acct string) ([]revenue.Movement, error) {
	out, err := collect(ctx, q, func(sc scanner) (revenue.Movement, error) {
		var m revenue.Movement
		var kind string
		var eff int64
		err := sc.Scan(&kind, &m.Delta, &m.MRRAfter, &m.Currency, &eff)
		m.Kind, m.EffectiveAt = revenue.Kind(kind), fromMS(eff)
		return m, err
	}, `SELECT kind, delta, mrr_after, currency, effective_at FROM mrr_movements WHERE account_id = ? ORDER BY effective_at, id`, acct)
	return out, wrapf(err, "account movements")
}
