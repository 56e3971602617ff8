package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/playbook"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// A playbook attached to the red signal: an important account never contacted and
// without usage turns red (health 20) on the first sync, which starts the playbook
// once — its two tasks for the owner and the named assignee, due 1 and 7 days after
// 15 June. Syncing again, the signal firing again or a second start by hand while the
// run is open make nothing more; finishing both tasks closes the run, after which it
// can start again.
func TestPlaybookRuns(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 22, 30, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		owner := &auth.Member{Email: "olga@example.com", Name: "Olga", Role: auth.RoleMember}
		exec := &auth.Member{Email: "vp@example.com", Name: "VP", Role: auth.RoleAdmin}
		storetest.Members(t, s, owner, exec)
		save := &playbook.Playbook{Name: "Save the account", Signals: []string{health.SigRed},
			Steps: []playbook.Step{{Title: "Call the champion", DueDays: 1}, {Title: "Executive email", DueDays: 7, AssigneeID: exec.ID}}}
		storetest.Must(t, s.CreatePlaybook(ctx, save))
		manual := &playbook.Playbook{Name: "QBR prep", Steps: []playbook.Step{{Title: "Pull the usage report", DueDays: 0}}}
		storetest.Must(t, s.CreatePlaybook(ctx, manual))
		a := &account.Account{Name: "Silent", Tier: "important", OwnerID: owner.ID}
		storetest.Accounts(t, s, a)
		sync := func() {
			t.Helper()
			if err := s.SyncHealth(ctx, clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		runTasks := func(runID string) []store.Task {
			t.Helper()
			all, err := s.ListTasks(ctx, store.TaskFilter{AccountID: a.ID})
			if err != nil {
				t.Fatal(err)
			}
			var out []store.Task
			for _, tk := range all {
				if tk.RunID == runID {
					out = append(out, tk)
				}
			}
			return out
		}
		runs := func() []store.PlaybookRun {
			t.Helper()
			rs, err := s.ListPlaybookRuns(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			return rs
		}
		sync()
		sync()
		rs := runs()
		if len(rs) != 1 || rs[0].Name != "Save the account" || rs[0].StartedBy != health.SigRed || rs[0].Status != "open" ||
			rs[0].Tasks != 2 || rs[0].TasksDone != 0 || rs[0].StartedOn != "2026-06-15" {
			t.Fatalf("runs after the red signal: %+v", rs)
		}
		ts := runTasks(rs[0].ID)
		if len(ts) != 2 || ts[0].Title != "Call the champion" || ts[0].DueDate != "2026-06-16" || ts[0].OwnerID != owner.ID ||
			ts[1].Title != "Executive email" || ts[1].DueDate != "2026-06-22" || ts[1].OwnerID != exec.ID ||
			ts[0].Reason != "Playbook Save the account, started by the signal Health turned red" || ts[0].Signal != "" {
			t.Fatalf("run tasks: %+v", ts)
		}

		// De-duplication, case by case: what starts a second run, and what does not.
		_, err := s.StartPlaybook(ctx, save.ID, a.ID, owner.ID)
		var ce *errs.ConflictError
		if !errors.As(err, &ce) {
			t.Fatalf("second start while open: %v", err)
		}
		if _, err := s.StartPlaybook(ctx, "nonesuch", a.ID, owner.ID); !isNotFound(err) {
			t.Fatalf("unknown playbook: %v", err)
		}
		if _, err := s.StartPlaybook(ctx, manual.ID, "nonesuch", owner.ID); !isNotFound(err) {
			t.Fatalf("unknown account: %v", err)
		}
		m, err := s.StartPlaybook(ctx, manual.ID, a.ID, owner.ID)
		if err != nil || m.StartedBy != "" || m.StartedByMember != owner.ID || m.Tasks != 1 {
			t.Fatalf("manual start: %+v %v", m, err)
		}
		if got := runTasks(m.ID); len(got) != 1 || got[0].DueDate != "2026-06-15" {
			t.Fatalf("manual run tasks: %+v", got)
		}
		// The signal ends (a contact and usage would do it; turning the rule off is
		// simpler) and fires again while the run is still open: no second run.
		setRed := func(on bool) {
			t.Helper()
			switchRule(t, s, health.SigRed, on)
			sync()
		}
		setRed(false)
		setRed(true)
		if rs := runs(); len(rs) != 2 {
			t.Fatalf("runs after the signal fired again while open: %+v", rs)
		}
		for i, tk := range ts {
			if _, err := s.CompleteTask(ctx, tk.ID, owner.ID, ""); err != nil {
				t.Fatal(err)
			}
			var r store.PlaybookRun
			for _, x := range runs() {
				if x.PlaybookID == save.ID {
					r = x
				}
			}
			if want := map[bool]string{false: "open", true: "done"}[i == 1]; r.Status != want || r.TasksDone != i+1 {
				t.Fatalf("after %d of 2 tasks done: %+v", i+1, r)
			}
		}
		// Closed: the signal firing anew starts it again.
		setRed(false)
		setRed(true)
		n := 0
		for _, r := range runs() {
			if r.PlaybookID == save.ID {
				n++
			}
		}
		if n != 2 {
			t.Fatalf("runs of the red playbook after the first was done and the signal fired anew: %d", n)
		}
	})
}

// Playbook admin: names are unique (case aside), a named assignee must be a member,
// edits replace the steps, and deleting a playbook keeps the tasks it made.
func TestPlaybookCRUD(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := &playbook.Playbook{Name: "Onboarding", Signals: []string{health.SigLowUsage},
			Steps: []playbook.Step{{Title: "Kick-off call", DueDays: 2}}}
		storetest.Must(t, s.CreatePlaybook(ctx, p))
		var ce *errs.ConflictError
		if err := s.CreatePlaybook(ctx, &playbook.Playbook{Name: "onboarding", Steps: p.Steps}); !errors.As(err, &ce) || ce.Field != "name" {
			t.Fatalf("duplicate name: %v", err)
		}
		var fe *errs.FieldError
		bad := &playbook.Playbook{Name: "Other", Steps: []playbook.Step{{Title: "x", AssigneeID: "nobody"}}}
		if err := s.CreatePlaybook(ctx, bad); !errors.As(err, &fe) || fe.Field != "steps[0].assignee_id" {
			t.Fatalf("unknown assignee: %v", err)
		}
		p.Steps = []playbook.Step{{Title: "Welcome email", DueDays: 0}, {Title: "Kick-off call", DueDays: 3}}
		p.Signals = nil
		if err := s.UpdatePlaybook(ctx, p); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetPlaybook(ctx, p.ID)
		if err != nil || len(got.Steps) != 2 || got.Steps[1].DueDays != 3 || len(got.Signals) != 0 {
			t.Fatalf("updated: %+v %v", got, err)
		}
		a := &account.Account{Name: "Acme", Tier: "standard"}
		storetest.Accounts(t, s, a)
		if _, err := s.StartPlaybook(ctx, p.ID, a.ID, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.DeletePlaybook(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeletePlaybook(ctx, p.ID); !isNotFound(err) {
			t.Fatalf("delete twice: %v", err)
		}
		ts, err := s.ListTasks(ctx, store.TaskFilter{AccountID: a.ID})
		if err != nil || len(ts) != 2 || ts[0].RunID != "" {
			t.Fatalf("tasks after the playbook was deleted: %+v %v", ts, err)
		}
		if ps, err := s.ListPlaybooks(ctx); err != nil || len(ps) != 0 {
			t.Fatalf("list: %+v %v", ps, err)
		}
	})
}

func isNotFound(err error) bool {
	var nf *errs.NotFoundError
	return errors.As(err, &nf)
}

// De-duplication of runs, case by case: a start is refused only while the same
// playbook's run on the same account is open.
func TestPlaybookStartDedup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		steps := []playbook.Step{{Title: "One", DueDays: 0}, {Title: "Two", DueDays: 2}}
		mk := func(name string) string {
			p := &playbook.Playbook{Name: name, Steps: steps}
			storetest.Must(t, s.CreatePlaybook(ctx, p))
			return p.ID
		}
		acct := func(name string) string {
			a := &account.Account{Name: name, Tier: "standard"}
			storetest.Accounts(t, s, a)
			return a.ID
		}
		finish := func(runID string, n int) {
			ts, err := s.ListTasks(ctx, store.TaskFilter{Status: "open", Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range ts {
				if tk.RunID == runID && n > 0 {
					if _, err := s.CompleteTask(ctx, tk.ID, "", ""); err != nil {
						t.Fatal(err)
					}
					n--
				}
			}
		}
		for _, c := range []struct {
			name     string
			done     int  // tasks of the first run done before the second start (of 2)
			samePB   bool // the second start is of the same playbook
			sameAcct bool // on the same account
			want     bool // the second start makes a run
		}{
			{"same playbook, same account, run open", 0, true, true, false},
			{"same playbook, same account, one of two done", 1, true, true, false},
			{"same playbook, same account, run done", 2, true, true, true},
			{"another playbook, same account", 0, false, true, true},
			{"same playbook, another account", 0, true, false, true},
		} {
			pb, a := mk(c.name+" A"), acct(c.name)
			first, err := s.StartPlaybook(ctx, pb, a, "")
			if err != nil {
				t.Fatalf("%s: first start: %v", c.name, err)
			}
			finish(first.ID, c.done)
			pb2, a2 := pb, a
			if !c.samePB {
				pb2 = mk(c.name + " B")
			}
			if !c.sameAcct {
				a2 = acct(c.name + " 2")
			}
			_, err = s.StartPlaybook(ctx, pb2, a2, "")
			var ce *errs.ConflictError
			if got := err == nil; got != c.want || (!c.want && !errors.As(err, &ce)) {
				t.Errorf("%s: second start %v, want a run: %v", c.name, err, c.want)
			}
		}
	})
}
