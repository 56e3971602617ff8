package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/workload"
)

// workloadSettingsKey is the settings row of the coverage policy: capacity per tier
// and each tier's default owner.
const workloadSettingsKey = "workload"

// WorkloadSettings reads the coverage policy, the defaults when unset.
func (s *Store) WorkloadSettings(ctx context.Context) (workload.Settings, error) {
	ws := workload.Defaults()
	if ok, err := s.GetSetting(ctx, workloadSettingsKey, &ws); err != nil || !ok {
		return workload.Defaults(), err
	}
	if ws.Capacity == nil {
		ws.Capacity = map[string]workload.Capacity{}
	}
	if ws.DefaultOwners == nil {
		ws.DefaultOwners = map[string]string{}
	}
	return ws, nil
}

// PutWorkloadSettings validates and stores the policy; a default owner must be an
// enabled member who is not a viewer (viewers cannot complete tasks).
func (s *Store) PutWorkloadSettings(ctx context.Context, ws workload.Settings) error {
	members, err := s.ListMembers(ctx)
	if err != nil {
		return err
	}
	can := map[string]bool{}
	for _, m := range members {
		can[m.ID] = !m.Disabled && m.Role != auth.RoleViewer
	}
	if err := ws.Validate(func(id string) bool { return can[id] }); err != nil {
		return err
	}
	return s.PutSetting(ctx, workloadSettingsKey, ws)
}

// MemberLoad is a team member's workload with their name.
type MemberLoad struct {
	workload.Load
	Name     string `json:"name"`  // "" for the unowned accounts
	Email    string `json:"email"` // "" for the unowned accounts
	Disabled bool   `json:"disabled"`
}

// Workload is every member's book against the per-tier capacity.
type Workload struct {
	Currency string                       `json:"currency"` // of every ARR figure
	Capacity map[string]workload.Capacity `json:"capacity"`
	Members  []MemberLoad                 `json:"members"`
}

// Workload sums the accounts each member owns, per tier, in accounts and ARR (12 ×
// MRR, in the ranking settings' reporting currency with its rates), against the
// capacity settings. Churned accounts are no one's work and do not count. Members who
// can own accounts (enabled, not viewers) are listed even with none, in name order;
// a disabled member or viewer is listed only while they still own accounts, and the
// accounts nobody owns come last.
func (s *Store) Workload(ctx context.Context, tiers []string) (Workload, error) {
	ws, err := s.WorkloadSettings(ctx)
	if err != nil {
		return Workload{}, err
	}
	rk, err := s.RankSettings(ctx)
	if err != nil {
		return Workload{}, err
	}
	var books []workload.Book
	err = eachHealthRow(ctx, s.read(), `SELECT COALESCE(owner_id, ''), tier, currency, COUNT(*), COALESCE(SUM(mrr), 0) FROM accounts
		WHERE stage <> 'churned' GROUP BY COALESCE(owner_id, ''), tier, currency ORDER BY 1, 2, 3`, nil, func(sc healthScanner) error {
		var b workload.Book
		if err := sc.Scan(&b.Owner, &b.Tier, &b.Currency, &b.Accounts, &b.MRR); err != nil {
			return err
		}
		books = append(books, b)
		return nil
	})
	if err != nil {
		return Workload{}, fmt.Errorf("store: workload books: %w", err)
	}
	members, err := s.ListMembers(ctx)
	if err != nil {
		return Workload{}, err
	}
	owns := map[string]bool{}
	for _, b := range books {
		owns[b.Owner] = true
	}
	byID := map[string]auth.Member{}
	var owners []string
	for _, m := range members {
		if !m.Disabled && m.Role != auth.RoleViewer || owns[m.ID] {
			owners = append(owners, m.ID)
			byID[m.ID] = m
		}
	}
	conv := revenue.Conversion{Currency: rk.Currency, Rates: rk.Rates}
	out := Workload{Currency: rk.Currency, Capacity: ws.Capacity}
	for _, l := range workload.Compute(books, owners, tiers, ws, conv.Convert) {
		m := byID[l.Owner]
		if l.Tiers == nil {
			l.Tiers = []workload.TierLoad{}
		}
		out.Members = append(out.Members, MemberLoad{Load: l, Name: m.Name, Email: m.Email, Disabled: m.Disabled})
	}
	if out.Members == nil {
		out.Members = []MemberLoad{}
	}
	return out, nil
}

// taskOwners returns who gets a task about an account: its owner, else its tier's
// default owner, passing over a disabled member at each step (a task for someone who
// can no longer sign in is work nobody sees); "" leaves the task unassigned, on the
// team's Today, for someone to take.
func (s *Store) taskOwners(ctx context.Context) (func(owner, tier string) string, error) {
	ws, err := s.WorkloadSettings(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := collect(ctx, s.read(), one[string], `SELECT id FROM team_members WHERE disabled = TRUE`)
	if err != nil {
		return nil, fmt.Errorf("store: task owners: %w", err)
	}
	return func(owner, tier string) string { return taskOwner(owner, tier, ws, ids) }, nil
}

func taskOwner(owner, tier string, ws workload.Settings, disabled []string) string {
	for _, id := range []string{owner, ws.DefaultOwners[tier]} {
		if id != "" && !slices.Contains(disabled, id) {
			return id
		}
	}
	return ""
}
