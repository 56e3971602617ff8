package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/closeloop/closeloop/internal/revenue"
)

// RevenueSettings are the team's choices for revenue metrics, stored under "revenue".
// Convert reports in the ranking settings' currency with the rates the team entered
// there (one set of rates for the whole product); otherwise each currency is reported
// on its own.
type RevenueSettings struct {
	revenue.Definitions
	Convert bool `json:"convert"`
}

// RevenueSettings returns the stored settings, or the defaults.
func (s *Store) RevenueSettings(ctx context.Context) (RevenueSettings, error) {
	rs := RevenueSettings{Definitions: revenue.DefaultDefinitions}
	_, err := s.GetSetting(ctx, "revenue", &rs)
	return rs, wrapf(err, "store: revenue settings")
}

// PutRevenueSettings checks and stores rs.
func (s *Store) PutRevenueSettings(ctx context.Context, rs RevenueSettings) error {
	if err := rs.Check(); err != nil {
		return err
	}
	return wrapf(s.PutSetting(ctx, "revenue", rs), "store: put revenue settings")
}

// RevenueConversion is how amounts are added under rs: per currency, or into the
// ranking settings' reporting currency with their rates.
func (s *Store) RevenueConversion(ctx context.Context, rs RevenueSettings) (revenue.Conversion, error) {
	if !rs.Convert {
		return revenue.Conversion{}, nil
	}
	rk, err := s.RankSettings(ctx)
	if err != nil {
		return revenue.Conversion{}, fmt.Errorf("store: revenue conversion: %w", err)
	}
	return revenue.Conversion{Currency: rk.Currency, Rates: rk.Rates}, nil
}

// revenueHistoriesRaw reads what RevenueHistories returns straight from the ledger:
// two ordered scans (accounts, then movements) merged by account id. It is the
// fallback while the paths roll-up is behind, and the reference its test compares to.
func (s *Store) revenueHistoriesRaw(ctx context.Context) ([]revenue.AccountHistory, error) {
	rq := s.read()
	rows, err := rq.query(ctx, `SELECT a.id, a.tier, a.plan, COALESCE(NULLIF(m.name, ''), m.email, ''), a.signup_date, a.currency
		FROM accounts a LEFT JOIN team_members m ON m.id = a.owner_id
		WHERE a.currency <> '' ORDER BY a.id`)
	if err != nil {
		return nil, fmt.Errorf("revenue histories raw: %w", err)
	}
	var out []revenue.AccountHistory
	for rows.Next() {
		var h revenue.AccountHistory
		var signup string
		if err := rows.Scan(&h.ID, &h.Tier, &h.Plan, &h.Owner, &signup, &h.Currency); err != nil {
			rows.Close()
			return nil, fmt.Errorf("revenue histories raw: %w", err)
		}
		h.Signup = parseSignup(signup)
		out = append(out, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("revenue histories raw: %w", err)
	}
	mrows, err := rq.query(ctx, `SELECT account_id, mrr_after, effective_at FROM mrr_movements ORDER BY account_id, effective_at, id`)
	if err != nil {
		return nil, fmt.Errorf("revenue histories raw: %w", err)
	}
	defer mrows.Close()
	index := make(map[string]int, len(out))
	for j, h := range out {
		index[h.ID] = j
	}
	i := 0
	var acct sql.RawBytes // compared, not kept: no string per row
	for mrows.Next() {
		var p revenue.Point
		var eff int64
		if err := mrows.Scan(&acct, &p.MRR, &eff); err != nil {
			return nil, fmt.Errorf("revenue histories raw: %w", err)
		}
		p.At = time.UnixMilli(eff).UTC()
		// Rows come grouped by account; the map only finds the next group, since
		// PostgreSQL's collation may order ids differently from Go.
		if i >= len(out) || out[i].ID != string(acct) {
			j, ok := index[string(acct)]
			if !ok {
				continue
			}
			i = j
		}
		out[i].Path = append(out[i].Path, p)
	}
	if err := mrows.Err(); err != nil {
		return nil, fmt.Errorf("revenue histories raw: %w", err)
	}
	// An account whose currency is set but has no movement left is no customer.
	kept := out[:0]
	for _, h := range out {
		if len(h.Path) > 0 {
			kept = append(kept, h)
		}
	}
	return kept, nil
}

func parseSignup(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, _ := time.Parse("2006-01-02", s)
	return t
}

// RevenueData is what every revenue report is computed from: the view a request asks
// for, its conversion, and every account's MRR history.
type RevenueData struct {
	View      revenue.View
	Conv      revenue.Conversion
	Histories []revenue.AccountHistory
}

// RevenueData reads a report request (get is a query string's Get) and the histories
// the reports are computed from.
func (s *Store) RevenueData(ctx context.Context, get func(string) string) (RevenueData, error) {
	v, conv, err := s.RevenueView(ctx, get)
	if err != nil {
		return RevenueData{}, err
	}
	hs, err := s.RevenueHistories(ctx)
	return RevenueData{View: v, Conv: conv, Histories: hs}, err
}

// RevenueView reads a report request (get is a query string's Get) over the team's
// revenue settings, and the conversion it asks for.
func (s *Store) RevenueView(ctx context.Context, get func(string) string) (revenue.View, revenue.Conversion, error) {
	rs, err := s.RevenueSettings(ctx)
	if err != nil {
		return revenue.View{}, revenue.Conversion{}, fmt.Errorf("store: revenue view: %w", err)
	}
	v, err := revenue.ParseView(get, rs.Definitions, rs.Convert, s.Now())
	if err != nil {
		return v, revenue.Conversion{}, err
	}
	c, err := s.RevenueConversion(ctx, RevenueSettings{Definitions: v.Defs, Convert: v.Convert})
	return v, c, wrapf(err, "store: revenue view")
}
