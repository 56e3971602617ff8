package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/health"
)

// StepStatus is one key step and where an account stands on it.
type StepStatus struct {
	health.Step
	Index  int    `json:"index"`
	Label  string `json:"label"`
	Count  int    `json:"count"`
	DoneOn string `json:"done_on"` // "" until done
}

// PersonActivation is one person's (one user's) progress through the key steps.
type PersonActivation struct {
	UserKey     string   `json:"user_key"` // "u:" + userId, or "a:" + anonymousId
	PersonID    string   `json:"person_id,omitempty"`
	Name        string   `json:"name,omitempty"`
	Email       string   `json:"email,omitempty"`
	StepsDone   int      `json:"steps_done"`
	DoneOn      []string `json:"done_on"` // per step, "" when not done
	LastStepOn  string   `json:"last_step_on"`
	ActivatedOn string   `json:"activated_on"`
}

// AccountActivation is an account's onboarding: every step, the dates and the people.
type AccountActivation struct {
	SignupDay   string             `json:"signup_day"`
	Steps       []StepStatus       `json:"steps"`
	StepsDone   int                `json:"steps_done"`
	StepsTotal  int                `json:"steps_total"`
	StartedOn   string             `json:"started_on"`
	AhaOn       string             `json:"aha_on"`
	LastStepOn  string             `json:"last_step_on"`
	ActivatedOn string             `json:"activated_on"`
	TTVDays     *int               `json:"ttv_days"` // signup → activation; nil until activated
	People      []PersonActivation `json:"people"`
}

// activationReadBudget bounds how long a read spends catching onboarding up.
const activationReadBudget = time.Second

// AccountActivation reads the account's onboarding; nil when no key steps are
// configured.
func (s *Store) AccountActivation(ctx context.Context, accountID string) (*AccountActivation, error) {
	set, err := s.ActivationSettings(ctx)
	if err != nil || len(set.Steps) == 0 {
		return nil, err
	}
	if _, err := s.syncDerived(ctx, usageDerivation{}, usageReadBudget, syncBatch, nil); err != nil {
		return nil, fmt.Errorf("store: usage roll-up: %w", err)
	}
	if _, err := s.syncActivationWithin(ctx, activationReadBudget); err != nil {
		return nil, err
	}
	rq := s.read()
	out := &AccountActivation{StepsTotal: len(set.Steps), People: []PersonActivation{}}
	err = rq.row(ctx, `SELECT signup_day, steps_done, steps_total, started_on, aha_on, last_step_on, activated_on FROM account_activation WHERE account_id = ?`,
		accountID).Scan(&out.SignupDay, &out.StepsDone, &out.StepsTotal, &out.StartedOn, &out.AhaOn, &out.LastStepOn, &out.ActivatedOn)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: account activation %s: %w", accountID, err)
	}
	if d, ok := health.TimeToValue(out.SignupDay, out.ActivatedOn); ok {
		out.TTVDays = &d
	}
	byStep := map[int]StepStatus{}
	if err := eachHealthRow(ctx, rq, `SELECT step, n, done_on FROM account_activation_steps WHERE account_id = ?`, []any{accountID}, func(sc healthScanner) error {
		var st StepStatus
		if err := sc.Scan(&st.Index, &st.Count, &st.DoneOn); err != nil {
			return err
		}
		byStep[st.Index] = st
		return nil
	}); err != nil {
		return nil, fmt.Errorf("store: account activation steps: %w", err)
	}
	for i, step := range set.Steps {
		st := byStep[i]
		st.Step, st.Index, st.Label = step, i, step.Label()
		out.Steps = append(out.Steps, st)
	}
	// A user's person is that of the identity it resolves to (usage_users.canonical).
	err = eachHealthRow(ctx, rq, `SELECT pa.user_key, COALESCE(p.id, ''), COALESCE(p.name, ''), COALESCE(p.email, ''), pa.steps_done, pa.done_on, pa.last_step_on, pa.activated_on
		FROM person_activation pa
		LEFT JOIN usage_users u ON u.id = pa.user_key
		LEFT JOIN usage_users c ON c.id = u.canonical
		LEFT JOIN people p ON p.id = c.person_id
		WHERE pa.account_id = ? ORDER BY pa.activated_on = '', pa.activated_on, pa.steps_done DESC, pa.user_key LIMIT 50`, []any{accountID}, func(sc healthScanner) error {
		var pa PersonActivation
		var done string
		if err := sc.Scan(&pa.UserKey, &pa.PersonID, &pa.Name, &pa.Email, &pa.StepsDone, &done, &pa.LastStepOn, &pa.ActivatedOn); err != nil {
			return err
		}
		pa.DoneOn = strings.Split(done, ",")
		out.People = append(out.People, pa)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: person activation %s: %w", accountID, err)
	}
	return out, nil
}

// OnboardingFunnel is the funnel of the accounts that signed up from from to to
// (YYYY-MM-DD, inclusive; "" is open), overall and by signup month. Upgraded to paid
// is any MRR movement that left the account paying. With no key steps configured only
// the signups are counted.
func (s *Store) OnboardingFunnel(ctx context.Context, from, to string) (health.Funnel, error) {
	if _, err := s.syncDerived(ctx, usageDerivation{}, usageReadBudget, syncBatch, nil); err != nil {
		return health.Funnel{}, fmt.Errorf("store: usage roll-up: %w", err)
	}
	if _, err := s.syncActivationWithin(ctx, activationReadBudget); err != nil {
		return health.Funnel{}, err
	}
	var accts []health.FunnelAccount
	err := eachHealthRow(ctx, s.read(), `SELECT a.signup_date, a.created_at, COALESCE(aa.started_on, ''), COALESCE(aa.aha_on, ''), COALESCE(aa.activated_on, ''),
		CASE WHEN EXISTS (SELECT 1 FROM mrr_movements m WHERE m.account_id = a.id AND m.mrr_after > 0) THEN 1 ELSE 0 END
		FROM accounts a LEFT JOIN account_activation aa ON aa.account_id = a.id`, nil, func(sc healthScanner) error {
		var signup, started, aha, activated string
		var created int64
		var paid int
		if err := sc.Scan(&signup, &created, &started, &aha, &activated, &paid); err != nil {
			return err
		}
		fa := health.FunnelAccount{Signup: signupDay(signup, created), Started: started != "", Aha: aha != "", Activated: activated != "", Paid: paid == 1}
		if (from != "" && fa.Signup < from) || (to != "" && fa.Signup > to) {
			return nil
		}
		fa.TTVDays, _ = health.TimeToValue(fa.Signup, activated)
		accts = append(accts, fa)
		return nil
	})
	if err != nil {
		return health.Funnel{}, fmt.Errorf("store: onboarding funnel: %w", err)
	}
	return health.ComputeFunnel(accts), nil
}
