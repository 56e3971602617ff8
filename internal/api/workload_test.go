package api_test

import (
	"testing"

	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/workload"
)

// Workload over the API: a member's strategic account worth $20,000 MRR is 1/40 of
// a CSM in accounts and $240,000 of $5,000,000 ARR (4.8%); lowering the strategic
// capacity to $200,000 ARR puts them over (1.2). Settings are read with read,
// replaced only with admin, and a default owner who is no member is refused by field.
func TestWorkloadAPI(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var m struct{ ID string }
		e.call(e.admin, "POST", "/api/v1/team", `{"email": "cs@example.com", "name": "Cass", "role": "member", "password": "correct horse battery"}`, 201, &m)
		a := e.newAccount(map[string]any{"name": "Big", "tier": "strategic", "owner_id": m.ID})
		e.call(e.rw, "POST", "/api/v1/mrr-movements", map[string]any{"account_id": a.ID, "mrr": 2000000, "currency": "USD", "effective_at": "2025-01-01"}, 201, nil)
		var wl store.Workload
		e.call(e.read, "GET", "/api/v1/workload", nil, 200, &wl)
		var cass *store.MemberLoad
		for i := range wl.Members {
			if wl.Members[i].Owner == m.ID {
				cass = &wl.Members[i]
			}
		}
		if wl.Currency != "USD" || cass == nil || cass.Accounts != 1 || cass.ARR != 24000000 || cass.AccountsLoad != 0.025 || cass.ARRLoad != 0.048 || cass.Over ||
			len(cass.Tiers) != 1 || cass.Tiers[0].Capacity.Accounts != 40 {
			t.Fatalf("workload: %+v", wl)
		}
		var ws workload.Settings
		e.call(e.read, "GET", "/api/v1/settings/workload", nil, 200, &ws)
		ws.Capacity["strategic"] = workload.Capacity{Accounts: 40, ARR: 20000000}
		ws.DefaultOwners = map[string]string{"standard": m.ID}
		e.call(e.rw, "PUT", "/api/v1/settings/workload", ws, 403, nil)
		e.call(e.admin, "PUT", "/api/v1/settings/workload", ws, 200, &ws)
		if ws.DefaultOwners["standard"] != m.ID || ws.Capacity["strategic"].ARR != 20000000 {
			t.Fatalf("stored: %+v", ws)
		}
		e.call(e.read, "GET", "/api/v1/workload", nil, 200, &wl)
		for _, l := range wl.Members {
			if l.Owner == m.ID && (!l.Over || l.ARRLoad != 1.2) {
				t.Fatalf("over: %+v", l)
			}
		}
		e.fails(e.admin, "PUT", "/api/v1/settings/workload", `{"capacity": {}, "default_owners": {"standard": "nobody"}}`, 400, "default_owners.standard", "member")
		e.fails(e.admin, "PUT", "/api/v1/settings/workload", `{"capacity": {"standard": {"accounts": -1, "arr": 0}}}`, 400, "capacity.standard.accounts")
		e.fails(e.read, "GET", "/api/v1/workload?x=1", nil, 400, "x")
		e.call(e.write, "GET", "/api/v1/workload", nil, 403, nil)
	})
}
