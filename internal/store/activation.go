package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/health"
)

// Onboarding and activation (migration 0028) as a derivation (derive.go): keys are
// account ids; the key steps are the parameter kept in activation_state, so a change
// of them marks every account, and the triggers mark an account when its daily event
// roll-up or its signup date changes. A recompute reads the accounts' track events of
// the steps' names (index usage_events_account_day), evaluates them with
// internal/health (EvaluateSteps) per account and per user, and replaces the batch's
// rows. With no steps configured the tables stay empty.

// activationSettingsKey is the settings row of the key steps.
const activationSettingsKey = "activation"

// ActivationSettings reads the key steps (none until an admin sets them).
func (s *Store) ActivationSettings(ctx context.Context) (health.ActivationSettings, error) {
	var set health.ActivationSettings
	if _, err := s.GetSetting(ctx, activationSettingsKey, &set); err != nil {
		return health.ActivationSettings{Steps: []health.Step{}}, wrapf(err, "store: activation settings")
	}
	set.Normalize()
	return set, nil
}

// PutActivationSettings validates and stores the key steps; the next sync re-evaluates
// every account. Saved health settings from before the onboarding rules existed have
// no entry for them (so they are off); configuring steps for the first time turns
// them on with their defaults, once: a rule an admin turned off stays off.
func (s *Store) PutActivationSettings(ctx context.Context, set health.ActivationSettings) error {
	if err := clean(&set); err != nil {
		return err
	}
	if err := s.PutSetting(ctx, activationSettingsKey, set); err != nil {
		return fmt.Errorf("store: put activation settings: %w", err)
	}
	if len(set.Steps) == 0 {
		return nil
	}
	var hs health.Settings
	saved, err := s.GetSetting(ctx, healthSettingsKey, &hs)
	if err != nil || !saved {
		return wrapf(err, "store: put activation settings") // unsaved: the defaults have them on
	}
	changed := false
	for _, name := range health.OnboardingRules {
		if _, ok := hs.Rules[name]; !ok {
			if hs.Rules == nil {
				hs.Rules = map[string]health.Rule{}
			}
			hs.Rules[name] = health.DefaultRules()[name]
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return wrapf(s.PutSetting(ctx, healthSettingsKey, hs), "store: put activation settings")
}

type activationDerivation struct {
	s     *Store
	set   health.ActivationSettings
	print string
}

// activationPrint fingerprints the key steps.
func activationPrint(set health.ActivationSettings) string {
	raw, _ := json.Marshal(set)
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:8])
}

func (s *Store) activationDerivation(ctx context.Context) (*activationDerivation, error) {
	set, err := s.ActivationSettings(ctx)
	if err != nil {
		return nil, err
	}
	return &activationDerivation{s: s, set: set, print: activationPrint(set)}, nil
}

func init() {
	derivations["activation"] = derivationDef{"onboarding progress per account and person: key steps done, activation date",
		func(ctx context.Context, s *Store, _ time.Time) (derivation, error) {
			return s.activationDerivation(ctx)
		}}
}

var activationTables = []string{"account_activation", "account_activation_steps", "person_activation"}

func (d *activationDerivation) marks() []markTable {
	return []markTable{{"activation_dirty", "account_id"}}
}
func (d *activationDerivation) results() []string { return activationTables }

func (d *activationDerivation) stale(ctx context.Context, rq q) (bool, error) {
	var print string
	err := rq.row(ctx, `SELECT settings FROM activation_state WHERE id = 1`).Scan(&print)
	return print != d.print, wrapf(err, "stale")
}

func (d *activationDerivation) prepare(ctx context.Context, q q) error {
	var print string
	// The row lock serialises concurrent syncs on PostgreSQL (SQLite has one writer).
	if err := q.row(ctx, `SELECT settings FROM activation_state WHERE id = 1`+d.s.d.forUpdate()).Scan(&print); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if print == d.print {
		return nil
	}
	if _, err := q.exec(ctx, `UPDATE activation_state SET settings = ? WHERE id = 1`, d.print); err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	return d.markAll(ctx, q)
}

func (d *activationDerivation) markAll(ctx context.Context, q q) error {
	// Accounts that have rows but are gone are marked too, so their rows go.
	_, err := q.exec(ctx, `INSERT INTO activation_dirty (account_id) SELECT id FROM accounts WHERE true ON CONFLICT (account_id) DO NOTHING`)
	return wrapf(err, "mark every account")
}

func (d *activationDerivation) reset(ctx context.Context, q q) error {
	for _, t := range activationTables {
		if _, err := q.exec(ctx, `DELETE FROM `+t); err != nil {
			return fmt.Errorf("empty %s: %w", t, err)
		}
	}
	return d.markAll(ctx, q)
}

func (d *activationDerivation) recompute(ctx context.Context, q q, _ int, keys []string) error {
	for rest := keys; len(rest) > 0; {
		chunk := rest[:min(len(rest), 200)]
		rest = rest[len(chunk):]
		if err := d.recomputeChunk(ctx, q, chunk); err != nil {
			return fmt.Errorf("recompute activation: %w", err)
		}
	}
	return nil
}

func (d *activationDerivation) recomputeChunk(ctx context.Context, q q, ids []string) error {
	in, args := placeholders(ids)
	for _, t := range activationTables {
		if _, err := q.exec(ctx, `DELETE FROM `+t+` WHERE account_id IN (`+in+`)`, args...); err != nil {
			return fmt.Errorf("clear %s: %w", t, err)
		}
	}
	if len(d.set.Steps) == 0 {
		return nil
	}
	signups := map[string]string{}
	if err := eachHealthRow(ctx, q, `SELECT id, signup_date, created_at FROM accounts WHERE id IN (`+in+`)`, args, func(sc healthScanner) error {
		var id, signup string
		var created int64
		if err := sc.Scan(&id, &signup, &created); err != nil {
			return err
		}
		signups[id] = signupDay(signup, created)
		return nil
	}); err != nil {
		return fmt.Errorf("signups: %w", err)
	}
	filtered := false
	for _, st := range d.set.Steps {
		filtered = filtered || st.Property != ""
	}
	events := d.set.Events()
	ein, eargs := placeholders(events)
	type userOcc struct {
		user string
		occ  health.Occurrence
	}
	byAccount := map[string][]userOcc{}
	if err := eachHealthRow(ctx, q, `SELECT account_id, event, day, CASE WHEN user_id <> '' THEN 'u:' || user_id ELSE 'a:' || anonymous_id END, payload
		FROM usage_events WHERE account_id IN (`+in+`) AND type = 'track' AND event IN (`+ein+`)`, append(append([]any{}, args...), eargs...),
		func(sc healthScanner) error {
			var acct, payload string
			var o userOcc
			if err := sc.Scan(&acct, &o.occ.Event, &o.occ.Day, &o.user, &payload); err != nil {
				return err
			}
			if filtered {
				o.occ.Props = eventProperties(payload)
			}
			byAccount[acct] = append(byAccount[acct], o)
			return nil
		}); err != nil {
		return fmt.Errorf("events: %w", err)
	}
	var accts, steps, people [][]any
	for _, id := range ids {
		signup, ok := signups[id]
		if !ok {
			continue // deleted
		}
		all := make([]health.Occurrence, 0, len(byAccount[id]))
		perUser := map[string][]health.Occurrence{}
		for _, o := range byAccount[id] {
			all = append(all, o.occ)
			perUser[o.user] = append(perUser[o.user], o.occ)
		}
		p := health.EvaluateSteps(d.set, signup, all)
		accts = append(accts, []any{id, signup, p.Done, p.Total, p.StartedOn, p.AhaOn, p.LastStepOn, p.ActivatedOn})
		for _, sp := range p.Steps {
			steps = append(steps, []any{id, sp.Step, sp.Count, sp.DoneOn})
		}
		users := make([]string, 0, len(perUser))
		for u := range perUser {
			users = append(users, u)
		}
		sort.Strings(users)
		for _, u := range users {
			up := health.EvaluateSteps(d.set, signup, perUser[u])
			if up.Done == 0 {
				continue
			}
			done := make([]string, len(up.Steps))
			for i, sp := range up.Steps {
				done[i] = sp.DoneOn
			}
			people = append(people, []any{id, u, up.Done, strings.Join(done, ","), up.LastStepOn, up.ActivatedOn})
		}
	}
	if err := insertRows(ctx, q, "account_activation", "account_id, signup_day, steps_done, steps_total, started_on, aha_on, last_step_on, activated_on", accts); err != nil {
		return fmt.Errorf("write accounts: %w", err)
	}
	if err := insertRows(ctx, q, "account_activation_steps", "account_id, step, n, done_on", steps); err != nil {
		return fmt.Errorf("write steps: %w", err)
	}
	return wrapf(insertRows(ctx, q, "person_activation", "account_id, user_key, steps_done, done_on, last_step_on, activated_on", people), "write people")
}

// signupDay is an account's signup date, or the UTC day it was created when unset.
func signupDay(signup string, createdMS int64) string {
	if signup != "" {
		return signup
	}
	return fromMS(createdMS).UTC().Format(time.DateOnly)
}

// eventProperties reads a stored message's properties (nil when it has none).
func eventProperties(payload string) map[string]any {
	var m struct {
		Properties map[string]any `json:"properties"`
	}
	if json.Unmarshal([]byte(payload), &m) != nil {
		return nil
	}
	return m.Properties
}

// SyncActivation brings the usage roll-ups and then onboarding progress up to date.
func (s *Store) SyncActivation(ctx context.Context) error {
	if err := s.SyncUsage(ctx); err != nil {
		return fmt.Errorf("store: sync activation: %w", err)
	}
	_, err := s.syncActivationWithin(ctx, 0)
	return err
}

func (s *Store) syncActivationWithin(ctx context.Context, budget time.Duration) (bool, error) {
	return syncBuilt(ctx, s, budget, func() (*activationDerivation, error) { return s.activationDerivation(ctx) },
		"store: activation", "store: activation")
}
