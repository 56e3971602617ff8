package web

import (
	"net/http"

	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/workload"
)

type workloadTierHead struct {
	Tier     string
	Capacity workload.Capacity
}

// workloadRow is a member's line: their loads as percentages and one cell per
// configured tier, in the header's order.
type workloadRow struct {
	store.MemberLoad
	AccountsPct, ARRPct string
	Cells               []workload.TierLoad
}

type workloadData struct {
	Currency string
	Tiers    []workloadTierHead
	Rows     []workloadRow
}

// workloadPage: GET /workload is every member's book, per tier, in accounts and ARR
// against what one CSM can carry (Settings → Workload), with whoever is over capacity
// marked, so a lead sees where to move accounts before someone drowns.
func (ui *Web) workloadPage(w http.ResponseWriter, r *http.Request) error {
	wl, err := ui.Store.Workload(r.Context(), ui.Config.Tiers)
	if err != nil {
		return err
	}
	d := workloadData{Currency: wl.Currency}
	for _, t := range ui.Config.Tiers {
		d.Tiers = append(d.Tiers, workloadTierHead{t, wl.Capacity[t]})
	}
	for _, m := range wl.Members {
		row := workloadRow{MemberLoad: m, AccountsPct: workload.Percent(m.AccountsLoad), ARRPct: workload.Percent(m.ARRLoad)}
		for _, t := range ui.Config.Tiers {
			cell := workload.TierLoad{Tier: t}
			for _, tl := range m.Tiers {
				if tl.Tier == t {
					cell = tl
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		d.Rows = append(d.Rows, row)
	}
	return ui.render(w, r, http.StatusOK, "workload", "Workload", "workload", d)
}
