package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/health"
)

// Account health (migration 0018) as a derivation (derive.go): keys are account ids;
// the day and the health settings are parameters kept in health_state, so a new day
// or a settings change marks every account (the daily recompute), and the triggers
// mark an account when one of its inputs changes (an incremental day). A recompute
// gathers the batch's inputs with one grouped query per input, scores them with
// internal/health, replaces the batch's health_current rows and records the day in
// health_history.

// healthSettingsKey is the settings row of the health and cadence policy.
const healthSettingsKey = "health"

// HealthSettings reads the health and cadence policy, the defaults when unset.
func (s *Store) HealthSettings(ctx context.Context) (health.Settings, error) {
	hs := health.Defaults()
	// Decoding into the defaults would merge each stored set's profiles into the
	// default set's maps (encoding/json reuses a slice's elements and their maps):
	// a stored set must read back exactly as saved.
	hs.Sets = nil
	// The same for the rules: a rule left out of the stored settings is off, so a
	// rule added in a later version (the onboarding rules) is not switched on in an
	// install that saved its settings before it existed.
	hs.Rules = nil
	// And the cadences: a tier an admin took out of the map gets the default cadence,
	// rather than coming back with its shipped one.
	hs.Cadence = nil
	if ok, err := s.GetSetting(ctx, healthSettingsKey, &hs); err != nil || !ok {
		return health.Defaults(), wrapf(err, "store: health settings")
	}
	if hs.Cadence == nil {
		hs.Cadence = health.Defaults().Cadence
	}
	if len(hs.Sets) == 0 {
		hs.Sets = health.Defaults().Sets
	}
	if hs.Rules == nil {
		hs.Rules = health.DefaultRules()
		for _, r := range health.OnboardingRules {
			delete(hs.Rules, r)
		}
	}
	for _, r := range health.OnWhenUnsaved {
		if _, ok := hs.Rules[r]; !ok {
			hs.Rules[r] = health.DefaultRules()[r]
		}
	}
	return hs, nil
}

// PutHealthSettings validates and stores the policy; the next sync rescores every
// account with it. A weight set changed under a stored version id gets a new id
// (health.Reversion), and stored sets left out are kept, so history rows always name
// weights that still exist.
func (s *Store) PutHealthSettings(ctx context.Context, hs health.Settings) error {
	var kinds []string
	for _, k := range account.TouchpointKinds {
		kinds = append(kinds, string(k))
	}
	prev, err := s.HealthSettings(ctx)
	if err != nil {
		return err
	}
	hs = health.Reversion(prev, hs)
	if err := hs.Validate(kinds); err != nil {
		return err
	}
	return wrapf(s.PutSetting(ctx, healthSettingsKey, hs), "store: put health settings")
}

type healthDerivation struct {
	s       *Store
	day     string // as of, YYYY-MM-DD UTC
	dayTime time.Time
	set     health.Settings
	steps   int    // key steps configured: activation is an input only with some
	print   string // fingerprint of set and of the key steps
	// firstSync: this sync is the install's first (health_state had no day), so a
	// first score is no news (recomputeChunk).
	firstSync bool
}

func (s *Store) healthDerivation(ctx context.Context, now time.Time) (*healthDerivation, error) {
	hs, err := s.HealthSettings(ctx)
	if err != nil {
		return nil, fmt.Errorf("health derivation: %w", err)
	}
	act, err := s.ActivationSettings(ctx)
	if err != nil {
		return nil, fmt.Errorf("health derivation: %w", err)
	}
	raw, err := json.Marshal(hs)
	if err != nil {
		return nil, fmt.Errorf("health derivation: %w", err)
	}
	sum := sha256.Sum256(append(raw, activationPrint(act)...))
	day := now.UTC().Truncate(24 * time.Hour)
	return &healthDerivation{s: s, day: day.Format("2006-01-02"), dayTime: day, set: hs, steps: len(act.Steps), print: hex.EncodeToString(sum[:8])}, nil
}

func init() {
	derivations["health"] = derivationDef{"account health per day: score, band, components and the signal rules firing (today's, and the day's history row)",
		func(ctx context.Context, s *Store, now time.Time) (derivation, error) {
			return s.healthDerivation(ctx, now)
		}}
}

func (d *healthDerivation) marks() []markTable { return []markTable{{"health_dirty", "account_id"}} }

func (d *healthDerivation) results() []string {
	return []string{"health_current", "health_current_parts", "health_history", "health_signals"}
}

func (d *healthDerivation) stale(ctx context.Context, rq q) (bool, error) {
	var day, print string
	err := rq.row(ctx, `SELECT as_of_day, settings FROM health_state WHERE id = 1`).Scan(&day, &print)
	return day != d.day || print != d.print, wrapf(err, "stale")
}

func (d *healthDerivation) prepare(ctx context.Context, q q) error {
	var day, print string
	// The row lock serialises concurrent syncs on PostgreSQL (SQLite has one writer).
	if err := q.row(ctx, `SELECT as_of_day, settings FROM health_state WHERE id = 1`+d.s.d.forUpdate()).Scan(&day, &print); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if day == d.day && print == d.print {
		return nil
	}
	if day == "" {
		d.firstSync = true
	}
	if _, err := q.exec(ctx, `UPDATE health_state SET as_of_day = ?, settings = ? WHERE id = 1`, d.day, d.print); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	_, err := q.exec(ctx, `INSERT INTO health_dirty (account_id) SELECT id FROM accounts WHERE true ON CONFLICT (account_id) DO NOTHING`)
	return wrapf(err, "prepare")
}

func (d *healthDerivation) reset(ctx context.Context, q q) error {
	for _, t := range []string{"health_current", "health_current_parts", "health_signals"} {
		if _, err := q.exec(ctx, `DELETE FROM `+t); err != nil {
			return fmt.Errorf("empty %s: %w", t, err)
		}
	}
	_, err := q.exec(ctx, `INSERT INTO health_dirty (account_id) SELECT id FROM accounts WHERE true ON CONFLICT (account_id) DO NOTHING`)
	return wrapf(err, "reset")
}

func (d *healthDerivation) recompute(ctx context.Context, q q, _ int, keys []string) error {
	for rest := keys; len(rest) > 0; {
		chunk := rest[:min(len(rest), 500)]
		rest = rest[len(chunk):]
		if err := d.recomputeChunk(ctx, q, chunk); err != nil {
			return fmt.Errorf("recompute: %w", err)
		}
	}
	return nil
}

// healthAccount is what a recompute gathers for one account.
type healthAccount struct {
	tier      string
	stage     string
	facts     health.Facts
	in        health.Inputs
	paymentAt int64
	payCust   string
}

func (d *healthDerivation) recomputeChunk(ctx context.Context, q q, ids []string) error {
	in, args := placeholders(ids)
	day := d.day
	from30 := d.dayTime.AddDate(0, 0, -29).Format("2006-01-02")
	from60 := d.dayTime.AddDate(0, 0, -59).Format("2006-01-02")
	end := ms(d.dayTime.AddDate(0, 0, 1)) // the end of the day, exclusive
	start30 := ms(d.dayTime.AddDate(0, 0, -29))
	start90 := ms(d.dayTime.AddDate(0, 0, -89))
	accts := map[string]*healthAccount{}
	if err := eachHealthRow(ctx, q, `SELECT a.id, a.tier, a.stage, a.seats, a.traits, a.renewal_date, `+latestWindowSQL+` FROM accounts a
		WHERE a.id IN (`+in+`)`, args, func(sc healthScanner) error {
		var id, tier, stage, traits, renewal string
		var seats, window int
		if err := sc.Scan(&id, &tier, &stage, &seats, &traits, &renewal, &window); err != nil {
			return err
		}
		a := &healthAccount{tier: tier, stage: stage}
		if days, ok := health.DaysBetween(d.day, renewal); ok {
			a.facts.RenewalDays = &days
			if window > 0 {
				c := account.Contract{RenewalDate: renewal, CancellationWindow: window}
				notice, _ := health.DaysBetween(d.day, c.NoticeDeadline())
				a.facts.NoticeDays = &notice
			}
		}
		a.in.Seats = seats
		a.in.DaysSinceContact = -1
		a.in.CadenceDays = d.set.CadenceFor(tier)
		healthTraits(traits, &a.in)
		accts[id] = a
		return nil
	}); err != nil {
		return fmt.Errorf("health: accounts: %w", err)
	}
	if d.steps > 0 {
		if err := d.activationInputs(ctx, q, in, args, accts); err != nil {
			return fmt.Errorf("health: activation: %w", err)
		}
	}
	// Usage: events in the last 30 days and the 30 before.
	if err := eachHealthRow(ctx, q, `SELECT account_id, SUM(CASE WHEN day >= ? THEN events ELSE 0 END), SUM(CASE WHEN day < ? THEN events ELSE 0 END)
		FROM usage_daily WHERE account_id IN (`+in+`) AND day >= ? AND day <= ? GROUP BY account_id`,
		append(append([]any{from30, from30}, args...), from60, day), func(sc healthScanner) error {
			var id string
			var last, prior int
			if err := sc.Scan(&id, &last, &prior); err != nil {
				return err
			}
			if a := accts[id]; a != nil {
				a.in.EventsLast30, a.in.EventsPrior30 = last, prior
			}
			return nil
		}); err != nil {
		return fmt.Errorf("health: usage: %w", err)
	}
	if err := intPerAccount(ctx, q, accts, `SELECT account_id, COUNT(*) FROM (SELECT DISTINCT account_id, user_key FROM usage_daily_users
		WHERE account_id IN (`+in+`) AND day >= ? AND day <= ?) u GROUP BY account_id`,
		append(append([]any{}, args...), from30, day), func(a *healthAccount, n int) { a.in.ActiveUsers30 = n }); err != nil {
		return fmt.Errorf("health: active users: %w", err)
	}
	// Contact: the latest counting touchpoint up to the end of the day.
	if kinds := d.set.ContactKinds; len(kinds) > 0 {
		kin, kargs := placeholders(kinds)
		if err := eachHealthRow(ctx, q, `SELECT account_id, MAX(occurred_at) FROM touchpoints
			WHERE account_id IN (`+in+`) AND kind IN (`+kin+`) AND direction <> 'internal' AND occurred_at < ? GROUP BY account_id`,
			append(append(append([]any{}, args...), kargs...), end), func(sc healthScanner) error {
				var id string
				var at int64
				if err := sc.Scan(&id, &at); err != nil {
					return err
				}
				if a := accts[id]; a != nil {
					a.in.DaysSinceContact = int(d.dayTime.Sub(fromMS(at).UTC().Truncate(24*time.Hour)) / (24 * time.Hour))
				}
				return nil
			}); err != nil {
			return fmt.Errorf("health: contact: %w", err)
		}
	}
	// Support load: bug reports not archived, from the last 30 days.
	if err := intPerAccount(ctx, q, accts, `SELECT account_id, COUNT(*) FROM feedback WHERE account_id IN (`+in+`) AND kind = 'bug'
		AND status <> 'archived' AND occurred_at >= ? AND occurred_at < ? GROUP BY account_id`,
		append(append([]any{}, args...), start30, end), func(a *healthAccount, n int) { a.in.OpenBugs30 = n }); err != nil {
		return fmt.Errorf("health: support load: %w", err)
	}
	// Sentiment: the mean of the labelled feedback of the last 90 days, summed in
	// thousandths as integers so any order of rows gives the same mean.
	if err := eachHealthRow(ctx, q, `SELECT account_id, SUM(CAST(ROUND(sentiment_score * 1000) AS BIGINT)), COUNT(*) FROM feedback
		WHERE account_id IN (`+in+`) AND sentiment <> '' AND status <> 'archived' AND occurred_at >= ? AND occurred_at < ? GROUP BY account_id`,
		append(append([]any{}, args...), start90, end), func(sc healthScanner) error {
			var id string
			var milli int64
			var n int
			if err := sc.Scan(&id, &milli, &n); err != nil {
				return err
			}
			if a := accts[id]; a != nil && n > 0 {
				mean := math.Round(float64(milli)/float64(n)/10) / 100
				a.in.Sentiment, a.in.SentimentItems = &mean, n
			}
			return nil
		}); err != nil {
		return fmt.Errorf("health: sentiment: %w", err)
	}
	if err := intPerAccount(ctx, q, accts, `SELECT account_id, COUNT(*) FROM feedback WHERE account_id IN (`+in+`) AND kind = 'churn_reason'
		AND occurred_at >= ? AND occurred_at < ? GROUP BY account_id`,
		append(append([]any{}, args...), start30, end), func(a *healthAccount, n int) { a.facts.ChurnReasons = n }); err != nil {
		return fmt.Errorf("health: churn reasons: %w", err)
	}
	// Payment: the latest invoice of any of the account's Stripe customers.
	if err := eachHealthRow(ctx, q, `SELECT account_id, id, payment_state, payment_at FROM stripe_customers
		WHERE account_id IN (`+in+`) AND payment_state <> ''`, args, func(sc healthScanner) error {
		var id, cust, state string
		var at int64
		if err := sc.Scan(&id, &cust, &state, &at); err != nil {
			return err
		}
		if a := accts[id]; a != nil && (a.in.Payment == "" || at > a.paymentAt || at == a.paymentAt && cust > a.payCust) {
			a.in.Payment, a.paymentAt, a.payCust = state, at, cust
		}
		return nil
	}); err != nil {
		return fmt.Errorf("health: payment: %w", err)
	}
	if err := intPerAccount(ctx, q, accts, `SELECT account_id, pulse FROM health_pulse WHERE account_id IN (`+in+`)`, args,
		func(a *healthAccount, p int) { a.in.Pulse = p }); err != nil {
		return fmt.Errorf("health: pulse: %w", err)
	}
	// NPS: the account's latest NPS survey response up to the end of the day wins over
	// the "nps" trait, which stays the fallback for accounts never surveyed here.
	if err := eachHealthRow(ctx, q, `SELECT r.account_id, r.score FROM survey_responses r JOIN surveys v ON v.id = r.survey_id AND v.kind = 'nps'
		WHERE r.account_id IN (`+in+`) AND r.responded_at < ? ORDER BY r.account_id, r.responded_at, r.id`,
		append(append([]any{}, args...), end), func(sc healthScanner) error {
			var id string
			var score int
			if err := sc.Scan(&id, &score); err != nil {
				return err
			}
			if a := accts[id]; a != nil {
				a.in.NPS = &score // rows come oldest first: the last one stays
			}
			return nil
		}); err != nil {
		return fmt.Errorf("health: survey NPS: %w", err)
	}
	// The goal: its state as the daily goal check last recorded it (pending and
	// unset leave the component missing), and what it is, for the goal_missed reason.
	if err := eachHealthRow(ctx, q, `SELECT account_id, state, event, min_count, trait, trait_op, trait_value, check_days FROM account_goals
		WHERE account_id IN (`+in+`)`, args, func(sc healthScanner) error {
		var id string
		var g health.Goal
		var state string
		if err := sc.Scan(&id, &state, &g.Event, &g.Min, &g.Trait, &g.TraitOp, &g.TraitValue, &g.CheckDays); err != nil {
			return err
		}
		if a := accts[id]; a != nil {
			a.in.Goal, a.facts.Goal = state, &g
		}
		return nil
	}); err != nil {
		return fmt.Errorf("health: goal: %w", err)
	}
	// The band last recorded (today's, or the latest day before), to tell a change.
	prevBand := map[string]string{}
	if err := eachHealthRow(ctx, q, `SELECT h.account_id, h.band FROM health_history h WHERE h.account_id IN (`+in+`)
		AND h.day = (SELECT MAX(day) FROM health_history p WHERE p.account_id = h.account_id AND p.day <= ?)`,
		append(append([]any{}, args...), day), func(sc healthScanner) error {
			var id, band string
			if err := sc.Scan(&id, &band); err != nil {
				return err
			}
			prevBand[id] = band
			return nil
		}); err != nil {
		return fmt.Errorf("health: last band: %w", err)
	}

	// Components are rewritten only where they changed: on a new day most do not
	// (seats, payment, support load…), and their rows are most of what a recompute
	// writes. Every account always has a row per component, so an upsert leaves none
	// stale; a deleted account's rows go.
	oldParts := map[string]string{}
	if err := eachHealthRow(ctx, q, `SELECT account_id, component, missing, value, score, weight, contribution, detail FROM health_current_parts
		WHERE account_id IN (`+in+`)`, args, func(sc healthScanner) error {
		var p health.Part
		var id string
		if err := sc.Scan(&id, &p.Name, &p.Missing, &p.Value, &p.Score, &p.Weight, &p.Contribution, &p.Detail); err != nil {
			return err
		}
		oldParts[id+"|"+p.Name] = fmt.Sprint(p)
		return nil
	}); err != nil {
		return fmt.Errorf("health: read parts: %w", err)
	}
	var gone []string
	for _, id := range ids {
		if accts[id] == nil {
			gone = append(gone, id)
		}
	}
	if len(gone) > 0 {
		gin, gargs := placeholders(gone)
		if _, err := q.exec(ctx, `DELETE FROM health_current_parts WHERE account_id IN (`+gin+`)`, gargs...); err != nil {
			return fmt.Errorf("health: clear parts: %w", err)
		}
	}
	for _, t := range []string{"health_current", "health_signals"} {
		if _, err := q.exec(ctx, `DELETE FROM `+t+` WHERE account_id IN (`+in+`)`, args...); err != nil {
			return fmt.Errorf("health: clear %s: %w", t, err)
		}
	}
	if _, err := q.exec(ctx, `DELETE FROM health_history WHERE account_id IN (`+in+`) AND day = ?`, append(append([]any{}, args...), day)...); err != nil {
		return fmt.Errorf("health: clear today's history: %w", err)
	}
	ws := d.set.Weights()
	var cur, parts, hist, sigs [][]any
	for _, id := range ids {
		a := accts[id]
		if a == nil {
			continue // deleted
		}
		r := health.Score(a.in, ws, a.tier, a.stage)
		cur = append(cur, []any{id, day, r.Score, r.Band, r.Weights, r.Profile, a.in.DaysSinceContact, a.in.CadenceDays})
		for _, p := range r.Parts {
			if oldParts[id+"|"+p.Name] != fmt.Sprint(p) {
				parts = append(parts, []any{id, p.Name, p.Missing, p.Value, p.Score, p.Weight, p.Contribution, p.Detail})
			}
		}
		raw, err := json.Marshal(r.Parts)
		if err != nil {
			return fmt.Errorf("recompute chunk: %w", err)
		}
		hist = append(hist, []any{id, day, r.Score, r.Band, r.Weights, r.Profile, string(raw)})
		for _, f := range health.Signals(a.in, r, a.facts, d.set.Rules) {
			sigs = append(sigs, []any{id, f.Rule, f.Reason})
		}
		// An account's first score counts as a change into red (previous band ""), so
		// a new account that starts red is told like one that turns red — except on
		// the install's first sync, when every account is scored for the first time.
		if old, ok := prevBand[id]; ok && old != r.Band || !ok && r.Band == health.Red && !d.firstSync {
			if err := d.s.appendEvent(ctx, q, EventHealthChanged, id, id, map[string]any{
				"day": day, "score": r.Score, "band": r.Band, "previous_band": old, "weights_version": r.Weights, "profile": r.Profile,
			}); err != nil {
				return fmt.Errorf("recompute chunk: %w", err)
			}
		}
	}
	if err := insertRows(ctx, q, "health_current", "account_id, day, score, band, weights_version, profile, days_since_contact, cadence_days", cur); err != nil {
		return fmt.Errorf("health: write current: %w", err)
	}
	if err := upsertHealthParts(ctx, q, parts); err != nil {
		return fmt.Errorf("health: write parts: %w", err)
	}
	if err := insertRows(ctx, q, "health_history", "account_id, day, score, band, weights_version, profile, parts", hist); err != nil {
		return fmt.Errorf("health: write history: %w", err)
	}
	if err := insertRows(ctx, q, "health_signals", "account_id, rule, reason", sigs); err != nil {
		return fmt.Errorf("health: write signals: %w", err)
	}
	return nil
}

// upsertHealthParts writes component rows over whatever is there.
func upsertHealthParts(ctx context.Context, q q, rows [][]any) error {
	const width = 8
	per := maxParams / width
	for start := 0; start < len(rows); start += per {
		end := min(start+per, len(rows))
		var sb strings.Builder
		sb.WriteString("INSERT INTO health_current_parts (account_id, component, missing, value, score, weight, contribution, detail) VALUES ")
		args := make([]any, 0, (end-start)*width)
		for i := start; i < end; i++ {
			if i > start {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, rows[i]...)
		}
		sb.WriteString(` ON CONFLICT (account_id, component) DO UPDATE SET missing = excluded.missing, value = excluded.value, score = excluded.score,
			weight = excluded.weight, contribution = excluded.contribution, detail = excluded.detail`)
		if _, err := q.exec(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("upsert health parts: %w", err)
		}
	}
	return nil
}

// activationInputs sets the "activate" component and the onboarding facts from the
// accounts' activation (activation.go) when key steps are configured: it replaces the
// "activated" trait then, and an account whose activation is not yet derived has the
// component missing.
func (d *healthDerivation) activationInputs(ctx context.Context, q q, in string, args []any, accts map[string]*healthAccount) error {
	for _, a := range accts {
		a.in.Activated = nil
	}
	return eachHealthRow(ctx, q, `SELECT account_id, signup_day, steps_done, steps_total, last_step_on, activated_on FROM account_activation
		WHERE account_id IN (`+in+`)`, args, func(sc healthScanner) error {
		var id, signup, last, activated string
		var o health.OnboardingFacts
		if err := sc.Scan(&id, &signup, &o.StepsDone, &o.StepsTotal, &last, &activated); err != nil {
			return err
		}
		a := accts[id]
		if a == nil {
			return nil
		}
		o.Activated = activated != "" && activated <= d.day
		o.DaysSinceSignup, _ = health.DaysBetween(signup, d.day)
		if last == "" || last < signup {
			last = signup
		}
		o.DaysSinceStep, _ = health.DaysBetween(last, d.day)
		a.in.Activated = &o.Activated
		a.facts.Onboarding = &o
		return nil
	})
}

// healthTraits reads the inputs an account's traits may carry: "activated" (true or
// false) while no key steps are configured (activation.go tracks it from events then), "nps" (0–10), and "seats" when the
// seats field is not set.
func healthTraits(raw string, in *health.Inputs) {
	if raw == "" || raw == "{}" || !strings.ContainsAny(raw, "ans") {
		return
	}
	var t map[string]any
	if json.Unmarshal([]byte(raw), &t) != nil {
		return
	}
	if v, ok := t["activated"].(bool); ok {
		in.Activated = &v
	}
	if v, ok := t["nps"].(float64); ok && v >= 0 && v <= 10 {
		n := int(v)
		in.NPS = &n
	}
	if v, ok := t["seats"].(float64); ok && in.Seats <= 0 && v >= 1 {
		in.Seats = int(v)
	}
}

// SyncHealth brings the usage roll-ups, onboarding progress and then every account's
// health up to date for the day of now (the health job).
func (s *Store) SyncHealth(ctx context.Context, now time.Time) error {
	if err := s.SyncActivation(ctx); err != nil {
		return fmt.Errorf("store: sync health: %w", err)
	}
	if _, err := s.syncHealthWithin(ctx, now, 0); err != nil {
		return fmt.Errorf("store: sync health: %w", err)
	}
	return wrapf(s.SyncSignalTasks(ctx, now), "store: sync health")
}

func (s *Store) syncHealthWithin(ctx context.Context, now time.Time, budget time.Duration) (bool, error) {
	return syncBuilt(ctx, s, budget, func() (*healthDerivation, error) { return s.healthDerivation(ctx, now) },
		"sync health within", "store: health")
}

// healthScanner is the Scan of one row.
type healthScanner interface{ Scan(dest ...any) error }

// eachHealthRow runs query and calls fn with every row.
// intPerAccount reads (account id, number) rows and hands each number to set for the
// accounts being recomputed.
func intPerAccount(ctx context.Context, q q, accts map[string]*healthAccount, query string, args []any, set func(a *healthAccount, n int)) error {
	return wrapf(eachHealthRow(ctx, q, query, args, func(sc healthScanner) error {
		var id string
		var n int
		if err := sc.Scan(&id, &n); err != nil {
			return err
		}
		if a := accts[id]; a != nil {
			set(a, n)
		}
		return nil
	}), "int per account")
}

func eachHealthRow(ctx context.Context, q q, query string, args []any, fn func(sc healthScanner) error) error {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("each health row: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return fmt.Errorf("each health row: %w", err)
		}
	}
	return wrapf(rows.Err(), "each health row")
}
