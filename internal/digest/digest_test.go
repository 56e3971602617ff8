package digest_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/digest"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/notify/smtptest"
	"github.com/closeloop/closeloop/internal/playbook"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// The daily digest through a real SMTP server. On 10 June Mia's accounts Silent
// (important, cadence 7) and Renewing (standard, cadence 30), never contacted and
// without usage, fire the cadence rule (tasks due in 2 days) and turn red at health
// (0 + 0 + 100×10) / 50 = 20 (tasks due in 3); Renewing renews on 3 July. On 13 June
// at 07:00 her digest lists the two cadence tasks as overdue (due 12 June), the two
// red tasks as due today, both accounts overdue for contact and red, and Renewing's
// renewal in 20 days. A playbook started on Silent that day adds its step due today,
// named with the account.
// Running the job again, or two runners at once the next day, sends one digest per
// day; Ben opted out and gets none, Zed has nothing to report and gets none, a viewer
// is no recipient, and nothing goes out before 06:00.
func TestDailyDigest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		s.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		setNow := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
		srv := smtptest.Start(t)
		if _, err := notify.SaveSMTP(ctx, s, srv.Settings()); err != nil {
			t.Fatal(err)
		}
		member := func(email string, role auth.Role) auth.Member {
			m := auth.Member{Email: email, Name: strings.ToUpper(email[:1]) + strings.Split(email, "@")[0][1:], Role: role}
			if err := s.CreateMember(ctx, &m); err != nil {
				t.Fatal(err)
			}
			return m
		}
		mia, ben := member("mia@example.com", auth.RoleMember), member("ben@example.com", auth.RoleAdmin)
		member("zed@example.com", auth.RoleMember)
		member("vi@example.com", auth.RoleViewer)
		if err := s.SetDigestOptOut(ctx, ben.ID, true); err != nil {
			t.Fatal(err)
		}
		silent := &account.Account{Name: "Silent", Tier: "important", Stage: account.Active, OwnerID: mia.ID}
		renewing := &account.Account{Name: "Renewing", Tier: "standard", Stage: account.Active, OwnerID: mia.ID}
		bens := &account.Account{Name: "Ben's", Tier: "important", Stage: account.Active, OwnerID: ben.ID}
		for _, a := range []*account.Account{silent, renewing, bens} {
			if err := s.CreateAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.SaveContract(ctx, &account.Contract{AccountID: renewing.ID, StartDate: "2025-07-03", TermMonths: 12, RenewalDate: "2026-07-03"}); err != nil {
			t.Fatal(err)
		}
		if err := s.SyncHealth(ctx, now); err != nil {
			t.Fatal(err)
		}
		sender := &digest.Sender{Store: s, BaseURL: "https://cl.example.com/", Log: slog.New(slog.DiscardHandler)}
		worker := &notify.Worker{Store: s, Now: s.Now, Log: slog.New(slog.DiscardHandler)}
		run := func(sd *digest.Sender, at time.Time) int {
			t.Helper()
			n, err := sd.Run(ctx, at)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		drain := func() {
			t.Helper()
			if err := worker.Drain(ctx); err != nil {
				t.Fatal(err)
			}
		}
		mail := func(to string) []smtptest.Parsed {
			var out []smtptest.Parsed
			for _, m := range srv.Messages() {
				if len(m.To) == 1 && m.To[0] == to {
					p, err := smtptest.Parse(m.Data)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, p)
				}
			}
			return out
		}

		pb := &playbook.Playbook{Name: "Save", Steps: []playbook.Step{{Title: "Call the champion", DueDays: 0}, {Title: "Later", DueDays: 5}}}
		if err := s.CreatePlaybook(ctx, pb); err != nil {
			t.Fatal(err)
		}
		setNow(time.Date(2026, 6, 13, 1, 0, 0, 0, time.UTC))
		if _, err := s.StartPlaybook(ctx, pb.ID, silent.ID, mia.ID); err != nil {
			t.Fatal(err)
		}
		early := time.Date(2026, 6, 13, 5, 59, 0, 0, time.UTC)
		setNow(early)
		if n := run(sender, early); n != 0 {
			t.Fatalf("before 06:00: %d digests", n)
		}
		d3 := time.Date(2026, 6, 13, 7, 0, 0, 0, time.UTC)
		setNow(d3)
		if n := run(sender, d3); n != 1 {
			t.Fatalf("13 June: %d digests queued, want 1 (Mia)", n)
		}
		if n := run(sender, d3.Add(time.Hour)); n != 0 {
			t.Fatalf("13 June again: %d digests", n)
		}
		drain()
		got := mail("mia@example.com")
		if len(got) != 1 {
			t.Fatalf("Mia got %d digests", len(got))
		}
		if subj := got[0].Header.Get("Subject"); subj != "Your day: 5 tasks, 2 red accounts, 2 contacts overdue, 1 renewal" {
			t.Errorf("subject %q", subj)
		}
		text := strings.ReplaceAll(got[0].Text, "\r\n", "\n")
		for _, want := range []string{
			"Good morning Mia, here is your day (Sat 13 Jun 2026).\n",
			"\nTasks due and overdue (5)\n",
			"\n- Silent: Call the champion (due today): Playbook Save\n",
			"\n- Contact is overdue: Silent (overdue since 2026-06-12): never in touch, cadence is 7\n",
			"\n- Contact is overdue: Renewing (overdue since 2026-06-12): never in touch, cadence is 30\n",
			"\n- Health turned red: Silent (due today): health 20, red\n",
			"\n- Health turned red: Renewing (due today): health 20, red\n",
			"\nOverdue for contact (2)\n- Renewing (standard)\n- Silent (important)\n",
			"\nRed accounts (2)\n- Renewing: health 20\n- Silent: health 20\n",
			"\nRenewals in the next 30 days (1)\n- Renewing renews on 2026-07-03 (in 20 days)\n",
			"\nWork through it: https://cl.example.com/today\n",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("digest lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "Ben's") {
			t.Errorf("Mia's digest shows Ben's account:\n%s", text)
		}

		// The next day, two runners at once: still one digest.
		d4 := d3.AddDate(0, 0, 1)
		setNow(d4)
		other := &digest.Sender{Store: s, BaseURL: "https://cl.example.com", Log: slog.New(slog.DiscardHandler)}
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i, sd := range []*digest.Sender{sender, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := sd.Run(ctx, d4)
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			}()
		}
		wg.Wait()
		if counts[0]+counts[1] != 1 {
			t.Fatalf("two runners queued %v digests, want 1 in all", counts)
		}
		drain()
		if n := len(mail("mia@example.com")); n != 2 {
			t.Fatalf("Mia got %d digests over two days, want 2", n)
		}
		for _, who := range []string{"ben@example.com", "zed@example.com", "vi@example.com"} {
			if n := len(mail(who)); n != 0 {
				t.Errorf("%s got %d digests", who, n)
			}
		}
		// Turned back on, Ben gets the next day's.
		if err := s.SetDigestOptOut(ctx, ben.ID, false); err != nil {
			t.Fatal(err)
		}
		if n := run(sender, d4.AddDate(0, 0, 1)); n != 2 {
			t.Fatalf("15 June: %d digests, want Mia's and Ben's", n)
		}
	})
}
