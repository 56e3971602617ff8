package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
)

// RankSettings are the team's ranking settings, stored under "ranking".
type RankSettings struct {
	Weights           feedback.Weights   `json:"weights"`
	CABWeight         float64            `json:"cab_weight"`
	RenewalWindowDays int                `json:"renewal_window_days"`
	Currency          string             `json:"currency"`
	Rates             map[string]float64 `json:"rates"` // reporting-currency units per unit of each other currency
}

// RankSettings returns the stored settings, or the defaults.
func (s *Store) RankSettings(ctx context.Context) (RankSettings, error) {
	d := feedback.DefaultRankOptions(time.Time{})
	rs := RankSettings{Weights: d.Weights, CABWeight: d.CABWeight, RenewalWindowDays: d.RenewalWindowDays, Currency: d.Currency}
	_, err := s.GetSetting(ctx, "ranking", &rs)
	return rs, wrapf(err, "store: rank settings")
}

// RankFilter narrows the evidence that ranking counts.
type RankFilter struct {
	Tier, Plan, Stage string
	Kind              feedback.Kind // feedback kind; votes carry no kind and are left out when set
	From, To          time.Time     // evidence time in [From, To)
	// LastDays, when set, is the last N days as of now (today and the N−1 days before
	// it, UTC): the views 30 and 90 are kept as roll-ups. It cannot be combined with
	// From or To.
	LastDays int
}

// resolve turns LastDays into the evidence-time range it stands for on the day of now.
func (f RankFilter) resolve(now time.Time) RankFilter {
	if f.LastDays <= 0 {
		return f
	}
	today := feedback.Day(now)
	f.From = time.Unix((today-int64(f.LastDays)+1)*86400, 0).UTC()
	f.To = time.Unix((today+1)*86400, 0).UTC()
	f.LastDays = 0
	return f
}

func (f RankFilter) where(alias, timeCol string) (string, []any) {
	var c conds
	c.eq("a.tier = ?", f.Tier)
	c.eq("a.plan = ?", f.Plan)
	c.eq("a.stage = ?", f.Stage)
	if !f.From.IsZero() {
		c.add(alias+"."+timeCol+" >= ?", ms(f.From))
	}
	if !f.To.IsZero() {
		c.add(alias+"."+timeCol+" < ?", ms(f.To))
	}
	return c.and(), c.args
}

const factCols = `COALESCE(a.mrr, 0), COALESCE(a.churned_mrr, 0), COALESCE(a.currency, ''), COALESCE(a.stage, ''), COALESCE(a.renewal_date, ''), COALESCE(a.cab, FALSE)`

// rawTallies counts evidence rows (subject, account, person, time, account facts…,
// unit): the trailing unit column is there only to make DISTINCT count each item once.
func (s *Store) rawTallies(ctx context.Context, query string, args []any, settings RankSettings, now time.Time) ([]feedback.Tally, error) {
	rows, err := s.read().query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("raw tallies: %w", err)
	}
	defer rows.Close()
	var ev []feedback.Evidence
	facts := map[string]feedback.AccountFacts{}
	for rows.Next() {
		var e feedback.Evidence
		var at int64
		var f feedback.AccountFacts
		var stage, unit string
		if err := rows.Scan(&e.Subject, &e.AccountID, &e.PersonID, &at, &f.MRR, &f.ChurnedMRR, &f.Currency, &stage, &f.RenewalDate, &f.CAB, &unit); err != nil {
			return nil, fmt.Errorf("raw tallies: %w", err)
		}
		e.At = fromMS(at)
		f.Churned = stage == "churned"
		ev = append(ev, e)
		if e.AccountID != "" {
			facts[e.AccountID] = f
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("raw tallies: %w", err)
	}
	return feedback.Tallies(ev, facts, now, settings.RenewalWindowDays), nil
}

// RequestRank is a request with its ranking figures.
type RequestRank struct {
	feedback.Request
	Rank feedback.Rank `json:"rank"`
}

// RankRequests ranks every unmerged request by the evidence of itself and everything
// merged into it.
func (s *Store) RankRequests(ctx context.Context, f RankFilter, now time.Time) ([]RequestRank, error) {
	settings, tallies, err := s.rankInputs(ctx, f, now, rankRequest, s.rawRequestTallies)
	if err != nil {
		return nil, fmt.Errorf("store: rank requests: %w", err)
	}
	reqs, err := s.ListRequests(ctx, RequestFilter{})
	if err != nil {
		return nil, fmt.Errorf("store: rank requests: %w", err)
	}
	byID := map[string]feedback.Request{}
	strategic := map[string]int{}
	for _, r := range reqs {
		byID[r.ID] = r
		strategic[r.ID] = r.StrategicScore
	}
	opts := settings.options(now)
	opts.Strategic = strategic
	var out []RequestRank
	for _, r := range feedback.Finish(tallies, opts) {
		if req, ok := byID[r.Subject]; ok {
			out = append(out, RequestRank{Request: req, Rank: r})
		}
	}
	return out, nil
}

// rankInputs reads the ranking settings and, under them, the tallies of kind (from
// the roll-ups, or by raw where they cannot answer f).
func (s *Store) rankInputs(ctx context.Context, f RankFilter, now time.Time, kind string, raw rawCount) (RankSettings, []feedback.Tally, error) {
	settings, err := s.RankSettings(ctx)
	if err != nil {
		return settings, nil, err
	}
	tallies, err := s.tallies(ctx, f, now, settings, kind, raw)
	return settings, tallies, err
}

// options are the settings as feedback.Finish takes them, for the day of now.
func (rs RankSettings) options(now time.Time) feedback.RankOptions {
	return feedback.RankOptions{Now: now, RenewalWindowDays: rs.RenewalWindowDays, CABWeight: rs.CABWeight,
		Weights: rs.Weights, Currency: rs.Currency, Rates: rs.Rates}
}

// rawCount counts tallies straight from the evidence, for a filter without LastDays.
type rawCount func(ctx context.Context, f RankFilter, settings RankSettings, now time.Time) ([]feedback.Tally, error)

// tallies reads the roll-ups for the views they hold (none, one tier or one kind, each
// alone or over the last 30 or 90 days) once they are caught up; it counts from the raw
// evidence for other filters or while a large backlog is built.
func (s *Store) tallies(ctx context.Context, f RankFilter, now time.Time, settings RankSettings, kind string, raw rawCount) ([]feedback.Tally, error) {
	kind, ok := rollupKind(kind, f)
	if !ok {
		return raw(ctx, f.resolve(now), settings, now) // combined filters and date ranges count from the evidence
	}
	current, err := s.syncRankWithin(ctx, now, rankReadBudget)
	if err != nil {
		return nil, fmt.Errorf("tallies: %w", err)
	}
	if !current {
		return raw(ctx, f.resolve(now), settings, now)
	}
	return s.rankTallies(ctx, kind)
}

// rollupKind is the rank_subjects kind holding subjects of kind base seen through f,
// and false when no roll-up holds that view.
func rollupKind(base string, f RankFilter) (string, bool) {
	days := f.LastDays
	if days != 0 {
		if !slices.Contains(rankWindows, days) {
			return "", false
		}
		f.LastDays = 0
	}
	var kind string
	switch {
	case f == RankFilter{}:
		kind = base
	case f == RankFilter{Tier: f.Tier}:
		kind = segmentKind(base, "tier", f.Tier)
	case f == RankFilter{Kind: f.Kind}:
		kind = segmentKind(base, "kind", string(f.Kind))
	default:
		return "", false
	}
	if days != 0 {
		kind = segmentKind(kind, "last", strconv.Itoa(days))
	}
	return kind, true
}

// TagRank is a tag with its figures rolled up over its descendants.
type TagRank struct {
	TagID string        `json:"tag_id"`
	Rank  feedback.Rank `json:"rank"`
}

// RankTags ranks every tag by the feedback tagged with it or any descendant; an item
// tagged twice under one ancestor counts once for it.
func (s *Store) RankTags(ctx context.Context, f RankFilter, now time.Time) ([]TagRank, error) {
	settings, tallies, err := s.rankInputs(ctx, f, now, rankTag, s.rawTagTallies)
	if err != nil {
		return nil, fmt.Errorf("store: rank tags: %w", err)
	}
	opts := settings.options(now)
	opts.Weights.Strategic = 0 // tags have no strategic score
	var out []TagRank
	for _, r := range feedback.Finish(tallies, opts) {
		out = append(out, TagRank{TagID: r.Subject, Rank: r})
	}
	return out, nil
}

// The raw path: filtered views (a tier, a kind, a date range) count straight from the
// evidence, since roll-ups exist only for everything. Each piece of evidence is one
// unit, as in the roll-ups: an item once per request root however many merged
// requests it is linked through, once per tag however many descendants it carries;
// a vote once per vote.

func (s *Store) rawRequestTallies(ctx context.Context, f RankFilter, settings RankSettings, now time.Time) ([]feedback.Tally, error) {
	fc, args := f.where("fb", "occurred_at")
	query := `SELECT DISTINCT r.root_id, COALESCE(fb.account_id, ''), COALESCE(fb.person_id, ''), fb.occurred_at, ` + factCols + `, fb.id
		FROM request_links l JOIN requests r ON r.id = l.request_id JOIN feedback fb ON fb.id = l.feedback_id
		LEFT JOIN accounts a ON a.id = fb.account_id WHERE 1=1` + fc
	if f.Kind != "" {
		query += ` AND fb.kind = ?`
		args = append(args, string(f.Kind))
	} else {
		vc, vargs := f.where("v", "created_at")
		query += ` UNION ALL SELECT r.root_id, COALESCE(v.account_id, ''), v.person_id, v.created_at, ` + factCols + `, v.request_id
			FROM votes v JOIN requests r ON r.id = v.request_id LEFT JOIN accounts a ON a.id = v.account_id WHERE 1=1` + vc
		args = append(args, vargs...)
	}
	return s.rawTallies(ctx, query, args, settings, now)
}

func (s *Store) rawTagTallies(ctx context.Context, f RankFilter, settings RankSettings, now time.Time) ([]feedback.Tally, error) {
	fc, args := f.where("fb", "occurred_at")
	if f.Kind != "" {
		fc += ` AND fb.kind = ?`
		args = append(args, string(f.Kind))
	}
	from := `feedback_tags ft JOIN tag_closure c ON c.descendant_id = ft.tag_id JOIN feedback fb ON fb.id = ft.feedback_id
		LEFT JOIN accounts a ON a.id = fb.account_id WHERE 1=1`
	if !f.From.IsZero() {
		// A date range starts from the feedback in it: CROSS JOIN fixes SQLite's join
		// order (its planner otherwise walks every tagging); PostgreSQL plans freely.
		from = `feedback fb CROSS JOIN feedback_tags ft CROSS JOIN tag_closure c LEFT JOIN accounts a ON a.id = fb.account_id
		WHERE ft.feedback_id = fb.id AND c.descendant_id = ft.tag_id`
	}
	query := `SELECT DISTINCT c.ancestor_id, COALESCE(fb.account_id, ''), COALESCE(fb.person_id, ''), fb.occurred_at, ` + factCols + `, fb.id
		FROM ` + from + fc
	return s.rawTallies(ctx, query, args, settings, now)
}
