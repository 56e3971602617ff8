package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/billing"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/playbook"
	"github.com/closeloop/closeloop/internal/store"
)

// HealthOptions says when the health story happens.
type HealthOptions struct {
	Now time.Time // the demo's today; default the current day
}

// HealthSummary names what GenerateHealth made, so the demo (and its test) can point
// at it.
type HealthSummary struct {
	RedAccount    string // id of the account that turned red, with a story
	MissedGoal    string // id of the account whose goal was missed
	GoalsSet      int    // goals given to onboarding accounts, as well
	Signals, Open int    // signals firing and tasks open at the end
	RedPlaybook   string // id of the playbook the red signal starts
}

// Story accounts. Northwind Freight is an important account whose usage has faded
// over the last month, who nobody has called in 16 days (its cadence is 7), and whose
// last invoice failed three days ago: its health went from green a month ago to red
// now, and the account page says why. Brightside Analytics signed up 100 days ago to
// build 25 reports within 90 days and built 9: its goal was missed.
const (
	// StoryAccounts is how many accounts GenerateHealth adds.
	StoryAccounts  = 2
	redExternal    = "acc_story_northwind"
	missedExternal = "acc_story_brightside"
)

// DemoSteps are the demo's onboarding key steps, over the events GenerateUsage sends:
// Northwind Freight did the three required ones long ago (it is activated, so its
// story stays about usage, contact and payment); Brightside never shared a report.
var DemoSteps = health.ActivationSettings{Steps: []health.Step{
	{Name: "Viewed a dashboard", Event: "Dashboard Viewed", Min: 1, Required: true},
	{Name: "Created three reports", Event: "Report Created", Min: 3, Required: true, Aha: true},
	{Name: "Shared a report", Event: "Report Shared", Min: 1, Required: true},
	{Name: "Invited a teammate in the first two weeks", Event: "Invite Sent", Min: 1, WithinDays: 14},
}}

// GenerateHealth adds the health loop's demo on top of Generate and GenerateUsage:
// the onboarding key steps (DemoSteps), the two story accounts, usage goals for the onboarding accounts, and the health
// history of the last month (the days 30 and 7 before today and today, so the trend
// and its sentence compare fixed dates), which fires the signals, opens their tasks
// and checks the goals.
func GenerateHealth(ctx context.Context, s *store.Store, opts HealthOptions) (HealthSummary, error) {
	var sum HealthSummary
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	now := time.Date(opts.Now.Year(), opts.Now.Month(), opts.Now.Day(), 12, 0, 0, 0, time.UTC)
	today := now.Truncate(24 * time.Hour)
	owner, err := s.GetMemberByEmail(ctx, CSMs[0].Email)
	if err != nil {
		return sum, fmt.Errorf("demo: the story's owner: %w", err)
	}
	other, err := s.GetMemberByEmail(ctx, CSMs[2].Email)
	if err != nil {
		return sum, fmt.Errorf("demo: the story's owner: %w", err)
	}

	if err := s.PutActivationSettings(ctx, DemoSteps); err != nil {
		return sum, fmt.Errorf("demo: key steps: %w", err)
	}

	red := &account.Account{ExternalID: redExternal, Name: "Northwind Freight", Domain: "northwindfreight.com", Plan: "business", Seats: 20,
		Tier: "important", Stage: account.Active, OwnerID: owner.ID, SignupDate: today.AddDate(-1, -2, 0).Format(time.DateOnly),
		Goal: "Route planning for the whole dispatch team", CreatedAt: today.AddDate(-1, -2, 0)}
	if err := s.CreateAccount(ctx, red); err != nil {
		return sum, fmt.Errorf("demo: story account: %w", err)
	}
	sum.RedAccount = red.ID
	if _, _, err := s.SetMRR(ctx, red.ID, 2400_00, "USD", today.AddDate(-1, -2, 14), "demo"); err != nil {
		return sum, err
	}
	// Usage: 24 events a day from eight users until 30 days ago, then fading to 2.
	var evs []store.UsageEvent
	for d := 90; d >= 0; d-- {
		per := 24
		if d < 30 {
			per = 2 + 22*d/30
		}
		day := today.AddDate(0, 0, -d)
		for i := 0; i < per; i++ {
			evs = append(evs, storyEvent(red, fmt.Sprintf("nw-%d-%d", d, i), usageEvents[i%3], fmt.Sprintf("nw-user-%d", i%8), day.Add(time.Duration(9+i%8)*time.Hour)))
		}
	}
	// Weekly calls until the last one, 16 days ago; the cadence of important accounts is 7 days.
	for _, back := range []int{37, 30, 23, 16} {
		if err := s.CreateTouchpoint(ctx, &account.Touchpoint{AccountID: red.ID, MemberID: owner.ID, Kind: account.Call, Direction: account.Outbound,
			OccurredAt: today.AddDate(0, 0, -back).Add(15 * time.Hour), Summary: "Weekly call: dispatch team busy with peak season"}); err != nil {
			return sum, err
		}
	}
	if err := storyInvoice(ctx, s, red.ID, "cus_story_northwind", "in_story_nw_1", "ok", today.AddDate(0, 0, -33)); err != nil {
		return sum, err
	}

	missed := &account.Account{ExternalID: missedExternal, Name: "Brightside Analytics", Domain: "brightside-analytics.io", Plan: "growth", Seats: 8,
		Tier: "standard", Stage: account.Active, OwnerID: other.ID, SignupDate: today.AddDate(0, 0, -100).Format(time.DateOnly),
		Goal: "Build the weekly board report in the product", CreatedAt: today.AddDate(0, 0, -100)}
	if err := s.CreateAccount(ctx, missed); err != nil {
		return sum, fmt.Errorf("demo: story account: %w", err)
	}
	sum.MissedGoal = missed.ID
	if _, _, err := s.SetMRR(ctx, missed.ID, 450_00, "USD", today.AddDate(0, 0, -86), "demo"); err != nil {
		return sum, err
	}
	for d := 100; d >= 0; d-- {
		day := today.AddDate(0, 0, -d)
		evs = append(evs, storyEvent(missed, fmt.Sprintf("bs-%d", d), "Dashboard Viewed", fmt.Sprintf("bs-user-%d", d%3), day.Add(10*time.Hour)))
		if d > 40 && d%7 == 0 { // 9 reports in the first two months (days 98, 91, … 42 ago), then none
			evs = append(evs, storyEvent(missed, fmt.Sprintf("bs-r-%d", d), "Report Created", "bs-user-0", day.Add(11*time.Hour)))
		}
	}
	if err := s.SetGoal(ctx, missed.ID, health.Goal{Event: "Report Created", Min: 25, CheckDays: 90}); err != nil {
		return sum, err
	}
	if err := s.InsertUsageRaw(ctx, evs); err != nil {
		return sum, err
	}

	// Onboarding accounts get the goal most customers sign up for.
	page, err := s.ListAccounts(ctx, store.AccountFilter{Stage: string(account.Onboarding), Limit: 20})
	if err != nil {
		return sum, err
	}
	for _, a := range page.Items {
		if err := s.SetGoal(ctx, a.ID, health.Goal{Event: "Report Created", Min: 10, CheckDays: 90}); err != nil {
			return sum, err
		}
		sum.GoalsSet++
	}

	if sum.RedPlaybook, err = demoPlaybooks(ctx, s); err != nil {
		return sum, err
	}

	// A month of history: 30 days ago (all green for Northwind), a week ago, today —
	// when its last invoice has just failed.
	for _, back := range []int{30, 7} {
		if err := s.SyncHealth(ctx, now.AddDate(0, 0, -back)); err != nil {
			return sum, err
		}
	}
	if err := storyInvoice(ctx, s, red.ID, "cus_story_northwind", "in_story_nw_2", "failed", today.AddDate(0, 0, -3)); err != nil {
		return sum, err
	}
	// The goal check first, so the sync's goal_missed signal tasks Brightside's owner.
	if _, err := s.CheckGoals(ctx, now); err != nil {
		return sum, err
	}
	if err := s.SyncHealth(ctx, now); err != nil {
		return sum, err
	}
	sigs, err := s.ListSignals(ctx, "", 500)
	if err != nil {
		return sum, err
	}
	open, err := s.ListTasks(ctx, store.TaskFilter{Status: "open", Limit: 500})
	if err != nil {
		return sum, err
	}
	sum.Signals, sum.Open = len(sigs), len(open)
	return sum, nil
}

func storyEvent(a *account.Account, id, event, user string, at time.Time) store.UsageEvent {
	return store.UsageEvent{MessageID: "demo-story-" + id, Type: "track", Event: event, UserID: user, GroupID: a.ExternalID, AccountID: a.ID,
		Timestamp: at, ReceivedAt: at, Payload: []byte(`{}`)}
}

// storyInvoice records a Stripe invoice's payment for the account, as the webhook
// would.
func storyInvoice(ctx context.Context, s *store.Store, accountID, customer, invoice, state string, at time.Time) error {
	var inv billing.Invoice
	if err := json.Unmarshal([]byte(fmt.Sprintf(`{"id":%q,"customer":%q,"amount_due":240000,"amount_paid":240000,"currency":"usd"}`, invoice, customer)), &inv); err != nil {
		return err
	}
	typ := "invoice.paid"
	if state == "failed" {
		typ = "invoice.payment_failed"
	}
	if _, err := s.StripeInvoice(ctx, billing.Event{ID: "evt_" + invoice, Type: typ, Created: at.Unix()}, inv, state); err != nil {
		return err
	}
	return s.LinkStripeCustomer(ctx, customer, accountID)
}

// demoPlaybooks adds two playbooks: "Save the account", which the red signal starts
// (so Northwind Freight has one running), and "Onboarding kick-off", started by hand.
// It returns the first one's id.
func demoPlaybooks(ctx context.Context, s *store.Store) (string, error) {
	save := &playbook.Playbook{Name: "Save the account", Signals: []string{health.SigRed}, Steps: []playbook.Step{
		{Title: "Call the champion: what changed?", DueDays: 1},
		{Title: "Review usage and open bugs with the team", DueDays: 3},
		{Title: "Email the executive sponsor", DueDays: 7},
		{Title: "Agree a recovery plan with the customer", DueDays: 14},
	}}
	kickoff := &playbook.Playbook{Name: "Onboarding kick-off", Steps: []playbook.Step{
		{Title: "Welcome email with the onboarding plan", DueDays: 0},
		{Title: "Kick-off call: goals and success criteria", DueDays: 3},
		{Title: "Check the first key steps are done", DueDays: 14},
	}}
	for _, p := range []*playbook.Playbook{save, kickoff} {
		if err := s.CreatePlaybook(ctx, p); err != nil {
			return "", fmt.Errorf("demo: playbook %s: %w", p.Name, err)
		}
	}
	return save.ID, nil
}
