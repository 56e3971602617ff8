package api_test

import (
	"context"
	"testing"

	"github.com/closeloop/closeloop/internal/playbook"
	"github.com/closeloop/closeloop/internal/store"
)

// Playbooks over the API: an admin key creates one attached to the red signal; an
// important account never contacted and without usage turns red (health 20) on the
// sync, which starts it once; a write key starts a second playbook by hand, and again
// while it is open is a conflict. Bad bodies are 400s naming the field, and scopes hold.
func TestPlaybooksAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var red playbook.Playbook
		r := e.call(e.admin, "POST", "/api/v1/playbooks", map[string]any{"name": "Save the account", "signals": []string{"health_red"},
			"steps": []map[string]any{{"title": "Call the champion", "due_days": 1}, {"title": "Exec email", "due_days": 7}}}, 201, &red)
		if loc := r.Header.Get("Location"); loc != "/api/v1/playbooks/"+red.ID {
			t.Errorf("Location %q", loc)
		}
		if red.ID == "" || len(red.Steps) != 2 || red.Steps[1].DueDays != 7 || red.Signals[0] != "health_red" {
			t.Fatalf("created: %+v", red)
		}
		var qbr playbook.Playbook
		e.call(e.admin, "POST", "/api/v1/playbooks", map[string]any{"name": "QBR prep", "steps": []map[string]any{{"title": "Usage report"}}}, 201, &qbr)
		var one playbook.Playbook
		e.call(e.read, "GET", "/api/v1/playbooks/"+red.ID, nil, 200, &one)
		if one.Name != "Save the account" || len(one.Steps) != 2 {
			t.Fatalf("get: %+v", one)
		}
		e.call(e.read, "GET", "/api/v1/playbooks/nonesuch", nil, 404, nil)
		var pl struct{ Items []playbook.Playbook }
		e.call(e.read, "GET", "/api/v1/playbooks", nil, 200, &pl)
		if len(pl.Items) != 2 || pl.Items[0].Name != "QBR prep" || pl.Items[1].Name != "Save the account" {
			t.Fatalf("list: %+v", pl.Items)
		}

		a := e.newAccount(map[string]any{"name": "Silent", "tier": "important"})
		for i := 0; i < 2; i++ {
			if err := e.s.SyncHealth(context.Background(), e.s.Now()); err != nil {
				t.Fatal(err)
			}
		}
		var run store.PlaybookRun
		e.call(e.write, "POST", "/api/v1/accounts/"+a.ID+"/playbooks", map[string]any{"playbook_id": qbr.ID}, 201, &run)
		if run.Name != "QBR prep" || run.Tasks != 1 || run.Status != "open" {
			t.Fatalf("started: %+v", run)
		}
		e.fails(e.write, "POST", "/api/v1/accounts/"+a.ID+"/playbooks", map[string]any{"playbook_id": qbr.ID}, 409, "playbook_id")
		var rl struct{ Items []store.PlaybookRun }
		e.call(e.read, "GET", "/api/v1/playbooks/runs?account_id="+a.ID, nil, 200, &rl)
		if len(rl.Items) != 2 {
			t.Fatalf("runs: %+v", rl.Items)
		}
		byName := map[string]store.PlaybookRun{}
		for _, r := range rl.Items {
			byName[r.Name] = r
		}
		if r := byName["Save the account"]; r.StartedBy != "health_red" || r.Tasks != 2 || r.TasksDone != 0 {
			t.Fatalf("red run: %+v", r)
		}
		var tl struct{ Items []store.Task }
		e.call(e.read, "GET", "/api/v1/tasks?account_id="+a.ID, nil, 200, &tl)
		fromRuns := 0
		for _, tk := range tl.Items {
			if tk.RunID != "" {
				fromRuns++
			}
		}
		if fromRuns != 3 {
			t.Fatalf("%d playbook tasks of %+v", fromRuns, tl.Items)
		}

		e.fails(e.write, "POST", "/api/v1/accounts/"+a.ID+"/playbooks", map[string]any{}, 400, "playbook_id")
		e.fails(e.write, "POST", "/api/v1/accounts/"+a.ID+"/playbooks", map[string]any{"playbook_id": "nonesuch"}, 404, "")
		e.fails(e.write, "POST", "/api/v1/accounts/nonesuch/playbooks", map[string]any{"playbook_id": qbr.ID}, 404, "")
		e.call(e.read, "GET", "/api/v1/playbooks/runs?account_id=nonesuch", nil, 404, nil)
		e.fails(e.read, "GET", "/api/v1/playbooks/runs", nil, 400, "account_id")
		for field, body := range map[string]map[string]any{
			"name":                 {"name": "", "steps": []map[string]any{{"title": "x"}}},
			"signals":              {"name": "X", "signals": []string{"moon"}, "steps": []map[string]any{{"title": "x"}}},
			"steps":                {"name": "X", "steps": []map[string]any{}},
			"steps[0].due_days":    {"name": "X", "steps": []map[string]any{{"title": "x", "due_days": 400}}},
			"steps[0].assignee_id": {"name": "X", "steps": []map[string]any{{"title": "x", "assignee_id": "nobody"}}},
			"colour":               {"name": "X", "colour": "red", "steps": []map[string]any{{"title": "x"}}},
		} {
			e.fails(e.admin, "POST", "/api/v1/playbooks", body, 400, field)
		}
		e.fails(e.admin, "POST", "/api/v1/playbooks", map[string]any{"name": "qbr PREP", "steps": []map[string]any{{"title": "x"}}}, 409, "name")
		e.call(e.rw, "POST", "/api/v1/playbooks", map[string]any{"name": "Y", "steps": []map[string]any{{"title": "x"}}}, 403, nil)
		e.call(e.write, "GET", "/api/v1/playbooks", nil, 403, nil)
		e.call(e.read, "POST", "/api/v1/accounts/"+a.ID+"/playbooks", map[string]any{"playbook_id": qbr.ID}, 403, nil)
	})
}
