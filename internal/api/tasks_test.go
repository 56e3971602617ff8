package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/store"
)

// Signals and tasks over the API: an important account never contacted and without
// usage fires the cadence rule and, at health (0 + 0 + 100×10) / 50 = 20, the red
// one; each makes one open task. Filters, completing (once: twice is a conflict) and
// bad parameters get their documented answers.
func TestTasksAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a := e.newAccount(map[string]any{"name": "Silent", "tier": "important"})
		for i := 0; i < 2; i++ { // a second sync makes nothing more
			if err := e.s.SyncHealth(context.Background(), e.s.Now()); err != nil {
				t.Fatal(err)
			}
		}
		var tl struct{ Items []store.Task }
		e.call(e.read, "GET", "/api/v1/tasks?status=open&account_id="+a.ID, nil, 200, &tl)
		if len(tl.Items) != 2 || tl.Items[0].Signal != "cadence" || tl.Items[0].Title != "Contact is overdue: Silent" ||
			tl.Items[0].Reason != "never in touch, cadence is 7" || tl.Items[1].Signal != "health_red" || tl.Items[1].Reason != "health 20, red" {
			t.Fatalf("tasks: %+v", tl.Items)
		}
		e.call(e.read, "GET", "/api/v1/tasks?signal=health_red", nil, 200, &tl)
		if len(tl.Items) != 1 {
			t.Fatalf("red tasks: %+v", tl.Items)
		}
		// A missed goal's tasks are filtered by their rule's name; this account has no goal.
		var goals struct{ Items []store.Task }
		e.call(e.read, "GET", "/api/v1/tasks?signal=goal_missed", nil, 200, &goals)
		if len(goals.Items) != 0 {
			t.Fatalf("goal tasks: %+v", goals.Items)
		}
		var sl struct{ Items []store.Signal }
		e.call(e.read, "GET", "/api/v1/signals?account_id="+a.ID, nil, 200, &sl)
		if len(sl.Items) != 2 {
			t.Fatalf("signals: %+v", sl.Items)
		}
		var done store.Task
		e.call(e.write, "POST", "/api/v1/tasks/"+tl.Items[0].ID+"/done", map[string]any{"note": "left a voicemail"}, 200, &done)
		if done.Status != "done" || done.DoneNote != "left a voicemail" || done.DoneAt == nil {
			t.Fatalf("done: %+v", done)
		}
		e.call(e.write, "POST", "/api/v1/tasks/"+tl.Items[0].ID+"/done", map[string]any{}, 409, nil)
		e.call(e.write, "POST", "/api/v1/tasks/nonesuch/done", map[string]any{}, 404, nil)
		e.call(e.read, "GET", "/api/v1/tasks?status=done", nil, 200, &tl)
		if len(tl.Items) != 1 || tl.Items[0].ID != done.ID {
			t.Fatalf("done tasks: %+v", tl.Items)
		}
		for q, field := range map[string]string{"?status=later": "status", "?signal=mood": "signal", "?limit=0": "limit", "?colour=red": "colour",
			"?unowned=true&owner_id=x": "unowned"} {
			r := e.call(e.read, "GET", "/api/v1/tasks"+q, nil, 400, nil)
			if !strings.Contains(string(r.Body), field) {
				t.Errorf("%s: %s", q, r.Body)
			}
		}
		e.call(e.write, "GET", "/api/v1/tasks", nil, 403, nil)
	})
}
