package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// Hand-worked: a standard onboarding account, not activated, no seats, payment, NPS
// or pulse; 9 logins in the last 30 days against 10 before (−10% → 80); an email 10
// days ago (cadence 30 → 100); no bugs (100).
//
//   - day 0, by tier (v1, default profile: usage 25, activate 10, contact 15, support
//     10 present = 60): (80×25 + 0×10 + 100×15 + 100×10) / 60 = 4500/60 = 75.
//   - day 1, the admin switches the set to by stage: it becomes v2, and the
//     onboarding profile (usage 30, activate 30, contact 10, support 10 = 80) gives
//     (2400 + 0 + 1000 + 1000) / 80 = 4400/80 = 55. Day 0's row still names v1.
//   - the account moves to active: (usage 20, activate 0, contact 20, support 10 =
//     50) (1600 + 0 + 2000 + 1000) / 50 = 4600/50 = 92.
//   - the goal gets weight 50 in the active profile (v3); pending, it is missing: 92.
//   - day 2, the goal (check day 1) is missed: (4600 + 0×50) / 100 = 46.
func TestHealthStageProfiles(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		w := &healthWorld{t: t, s: s, clock: clock}
		id := w.account("standard", 0, `{"activated":false}`)
		ext := fmt.Sprintf("ext%d", w.n)
		a, err := s.GetAccount(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		a.Stage = account.Onboarding
		if err := s.UpdateAccount(ctx, &a.Account); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 9; i++ {
			if err := w.usage(ext, "ann", "Login", clock.Now().AddDate(0, 0, -3-i%3)); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 10; i++ {
			if err := w.usage(ext, "bob", "Login", clock.Now().AddDate(0, 0, -35-i)); err != nil {
				t.Fatal(err)
			}
		}
		storetest.Must(t, s.CreateTouchpoint(ctx, &account.Touchpoint{AccountID: id, Kind: account.Email, OccurredAt: clock.Now().AddDate(0, 0, -10), Summary: "hi"}))
		expect := func(step string, score int, version, profile string) health.Result {
			t.Helper()
			h, err := s.AccountHealth(ctx, id, clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if h.Current == nil || h.Current.Score != score || h.Current.Weights != version || h.Current.Profile != profile {
				t.Fatalf("%s: %+v, want %d %s %s", step, h.Current, score, version, profile)
			}
			return h.Current.Result
		}
		expect("by tier", 75, "v1", "tier:default")

		clock.AddDate(0, 0, 1)
		hs, err := s.HealthSettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		hs.Sets[0].Mode, hs.Sets[0].Profiles = health.ByStage, health.DefaultStageProfiles() // edited in place: saved as v2
		if err := s.PutHealthSettings(ctx, hs); err != nil {
			t.Fatal(err)
		}
		if hs, err = s.HealthSettings(ctx); err != nil || hs.Active != "v2" || len(hs.Sets) != 2 || hs.Weights().Mode != health.ByStage {
			t.Fatalf("after the switch: %+v %v", hs, err)
		}
		expect("by stage, onboarding", 55, "v2", "stage:onboarding")

		a, _ = s.GetAccount(ctx, id)
		a.Stage = account.Active
		if err := s.UpdateAccount(ctx, &a.Account); err != nil {
			t.Fatal(err)
		}
		expect("by stage, active", 92, "v2", "stage:active")

		hs.Sets[0].Profiles["active"][health.GoalPart] = 50
		if err := s.PutHealthSettings(ctx, hs); err != nil {
			t.Fatal(err)
		}
		if err := s.SetGoal(ctx, id, health.Goal{Event: "Report Created", Min: 1, CheckDays: 1}); err != nil {
			t.Fatal(err)
		}
		if r := expect("goal pending", 92, "v3", "stage:active"); !r.Parts[len(r.Parts)-1].Missing {
			t.Fatalf("pending goal not missing: %+v", r.Parts)
		}
		clock.AddDate(0, 0, 1)
		if n, err := s.CheckGoals(ctx, clock.Now()); err != nil || n != 1 {
			t.Fatalf("check goals: %d %v", n, err)
		}
		if r := expect("goal missed", 46, "v3", "stage:active"); r.Parts[len(r.Parts)-1].Detail != "goal missed" {
			t.Fatalf("goal part %+v", r.Parts[len(r.Parts)-1])
		}

		// Each recorded day keeps the version and profile it was scored with.
		var got []string
		if err := s.EachHealthHistory(ctx, store.HealthHistoryFilter{AccountID: id}, func(r store.HealthHistoryRow) error {
			got = append(got, fmt.Sprintf("%s %d %s %s", r.Day, r.Score, r.Weights, r.Profile))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		want := []string{"2026-06-15 75 v1 tier:default", "2026-06-16 92 v3 stage:active", "2026-06-17 46 v3 stage:active"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("history\n got %v\nwant %v", got, want)
		}
	})
}
