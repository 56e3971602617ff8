package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/health"
)

// Today is a team member's day (the /today page): their open tasks, their accounts in
// the red, overdue for contact, renewing soon or with a notice deadline coming, goals
// at their check day, and the untriaged inbox.
type Today struct {
	Tasks    []Task
	Red      []RedAccount
	Overdue  []AccountRow // not contacted within their tier's cadence
	Renewals []AccountRow // renewing in the next 90 days, soonest first
	// Deadlines are the renewals and notice deadlines of the next 90 days, soonest
	// first (the page splits them at 30 days).
	Deadlines []Deadline
	Goals     []DueGoal // goals near their check day
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
	d.Red, err = collect(ctx, s.read(), func(sc scanner) (RedAccount, error) {
		var r RedAccount
		err := sc.Scan(&r.ID, &r.Name, &r.Tier, &r.Score, &r.MRR, &r.Currency)
		return r, err
	}, `SELECT a.id, a.name, a.tier, h.score, COALESCE(a.mrr, 0), COALESCE(a.currency, '')
		FROM health_current h JOIN accounts a ON a.id = h.account_id
		WHERE a.owner_id = ? AND h.band = 'red' ORDER BY h.score, a.name LIMIT ?`, memberID, todayLimit)
	if err != nil {
		return d, fmt.Errorf("store: red accounts: %w", err)
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
	if d.Deadlines, err = s.deadlinesFor(ctx, memberID, now); err != nil {
		return d, err
	}
	if d.Goals, err = s.dueGoalsFor(ctx, memberID, now); err != nil {
		return d, err
	}
	if d.Untriaged, err = s.CountFeedback(ctx, "new"); err != nil {
		return d, fmt.Errorf("store: today for %s: %w", memberID, err)
	}
	return d, nil
}

// Deadline is a date in an account's contract someone must act before: the renewal,
// or the notice deadline (the last day the customer can cancel, the renewal minus the
// contract's cancellation window).
type Deadline struct {
	AccountID, Name, Tier string
	Kind                  string // "renewal" or "notice"
	Date                  string // YYYY-MM-DD
	Days                  int    // from today
	MRR                   int64
	Currency              string
}

// DueGoal is a goal of one of the member's accounts near its check day: pending with
// the check day within goalDueAhead days, or missed at a check day within the last
// goalDueAhead days.
type DueGoal struct {
	AccountID, Name string
	AccountGoal
}

// goalDueAhead is how far around its check day a goal shows on Today.
const goalDueAhead = 14

// latestWindowSQL is the cancellation window of the latest contract of the account
// aliased a (0 without one): the contract its renewal date mirrors (syncRenewal), so
// the renewal date minus it is the notice deadline.
const latestWindowSQL = `COALESCE((SELECT c.cancellation_window FROM contracts c WHERE c.account_id = a.id ORDER BY c.start_date DESC, c.id DESC LIMIT 1), 0)`

// deadlinesFor lists the renewals and notice deadlines of memberID's accounts (not
// churned) from today to 90 days ahead, soonest first. An account's deadlines are its
// latest contract's, the one the account's renewal date mirrors.
func (s *Store) deadlinesFor(ctx context.Context, memberID string, now time.Time) ([]Deadline, error) {
	today := now.UTC().Truncate(24 * time.Hour)
	from, to := today.Format(time.DateOnly), today.AddDate(0, 0, 90).Format(time.DateOnly)
	// A notice deadline up to 90 days ahead belongs to a renewal up to 90 + 365 days
	// ahead (the longest cancellation window).
	var out []Deadline
	err := eachHealthRow(ctx, s.read(), `SELECT a.id, a.name, a.tier, COALESCE(a.mrr, 0), COALESCE(a.currency, ''), a.renewal_date,
		`+latestWindowSQL+`
		FROM accounts a WHERE a.owner_id = ? AND a.stage <> 'churned' AND a.renewal_date >= ? AND a.renewal_date <= ?`,
		[]any{memberID, from, today.AddDate(0, 0, 90+365).Format(time.DateOnly)}, func(sc healthScanner) error {
			var d Deadline
			var renewal string
			var window int
			if err := sc.Scan(&d.AccountID, &d.Name, &d.Tier, &d.MRR, &d.Currency, &renewal, &window); err != nil {
				return err
			}
			c := account.Contract{RenewalDate: renewal, CancellationWindow: window}
			add := func(kind, date string) {
				if date < from || date > to {
					return
				}
				e := d
				e.Kind, e.Date = kind, date
				t, _ := time.Parse(time.DateOnly, date)
				e.Days = int(t.Sub(today) / (24 * time.Hour))
				out = append(out, e)
			}
			add("renewal", renewal)
			if window > 0 {
				add("notice", c.NoticeDeadline())
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("store: deadlines: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Date != out[j].Date {
			return out[i].Date < out[j].Date
		}
		return out[i].Name < out[j].Name
	})
	if len(out) > todayLimit {
		out = out[:todayLimit]
	}
	return out, nil
}

// dueGoalsFor lists memberID's goals near their check day, check day first.
func (s *Store) dueGoalsFor(ctx context.Context, memberID string, now time.Time) ([]DueGoal, error) {
	type acct struct{ id, name string }
	var accts []acct
	err := eachHealthRow(ctx, s.read(), `SELECT a.id, a.name FROM account_goals g JOIN accounts a ON a.id = g.account_id
		WHERE a.owner_id = ? AND g.state <> 'achieved' ORDER BY a.name, a.id`, []any{memberID}, func(sc healthScanner) error {
		var a acct
		if err := sc.Scan(&a.id, &a.name); err != nil {
			return err
		}
		accts = append(accts, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: goals due: %w", err)
	}
	today := now.UTC().Truncate(24 * time.Hour)
	lo, hi := today.AddDate(0, 0, -goalDueAhead).Format(time.DateOnly), today.AddDate(0, 0, goalDueAhead).Format(time.DateOnly)
	var out []DueGoal
	for _, a := range accts {
		g, err := s.evaluateGoal(ctx, s.read(), a.id, now)
		if err != nil {
			return nil, err
		}
		if g == nil || g.State == health.GoalAchieved || g.CheckOn < lo || g.CheckOn > hi {
			continue
		}
		out = append(out, DueGoal{AccountID: a.id, Name: a.name, AccountGoal: *g})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CheckOn < out[j].CheckOn })
	if len(out) > todayLimit {
		out = out[:todayLimit]
	}
	return out, nil
}
