package store

import (
	"context"
	"fmt"
	"time"
)

// Today is a team member's day (the /today page): their open tasks, their accounts in
// the red, overdue for contact, or renewing soon, and the untriaged inbox.
type Today struct {
	Tasks     []Task
	Red       []RedAccount
	Overdue   []AccountRow // not contacted within their tier's cadence
	Renewals  []AccountRow // renewing in the next 90 days, soonest first
	Untriaged int
}

// RedAccount is an account whose health is in the red band.
type RedAccount struct {
	ID, Name, Tier string
	Score          int
	MRR            int64
	Currency       string
}

// todayLimit bounds each list: the page is a worklist, not a report.
const todayLimit = 50

// TodayFor gathers memberID's day as of now. The health figures are brought up to date
// for at most a second first, as the account page does.
func (s *Store) TodayFor(ctx context.Context, memberID string, now time.Time) (Today, error) {
	var d Today
	if _, err := s.syncHealthWithin(ctx, now, time.Second); err != nil {
		return d, fmt.Errorf("store: today for %s: %w", memberID, err)
	}
	var err error
	if d.Tasks, err = s.ListTasks(ctx, TaskFilter{OwnerID: memberID, Status: "open", Limit: todayLimit}); err != nil {
		return d, fmt.Errorf("store: today for %s: %w", memberID, err)
	}
	rows, err := s.read().query(ctx, `SELECT a.id, a.name, a.tier, h.score, COALESCE(a.mrr, 0), COALESCE(a.currency, '')
		FROM health_current h JOIN accounts a ON a.id = h.account_id
		WHERE a.owner_id = ? AND h.band = 'red' ORDER BY h.score, a.name LIMIT ?`, memberID, todayLimit)
	if err != nil {
		return d, fmt.Errorf("store: red accounts: %w", err)
	}
	for rows.Next() {
		var r RedAccount
		if err := rows.Scan(&r.ID, &r.Name, &r.Tier, &r.Score, &r.MRR, &r.Currency); err != nil {
			rows.Close()
			return d, fmt.Errorf("store: today for %s: %w", memberID, err)
		}
		d.Red = append(d.Red, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("store: today for %s: %w", memberID, err)
	}
	overdue, err := s.ListAccounts(ctx, AccountFilter{OwnerID: memberID, CadenceOverdue: true, Limit: todayLimit})
	if err != nil {
		return d, fmt.Errorf("store: today for %s: %w", memberID, err)
	}
	d.Overdue = overdue.Items
	renewing, err := s.ListAccounts(ctx, AccountFilter{OwnerID: memberID, Sort: "renewal", Limit: 500})
	if err != nil {
		return d, fmt.Errorf("store: today for %s: %w", memberID, err)
	}
	from, to := now.UTC().Format(time.DateOnly), now.UTC().AddDate(0, 0, 90).Format(time.DateOnly)
	for _, a := range renewing.Items {
		if a.RenewalDate >= from && a.RenewalDate <= to && len(d.Renewals) < todayLimit {
			d.Renewals = append(d.Renewals, a)
		}
	}
	if d.Untriaged, err = s.CountFeedback(ctx, "new"); err != nil {
		return d, fmt.Errorf("store: today for %s: %w", memberID, err)
	}
	return d, nil
}
