package web

import (
	"net/http"
	"sort"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
)

// shippedWindow is how long a shipped request stays on the board.
const shippedWindow = 90 * 24 * time.Hour

type roadmapCard struct {
	feedback.Request
	Accounts int
	MRR      int64
}

type roadmapColumn struct {
	Key, Title string
	Cards      []roadmapCard
}

type roadmapData struct {
	View      string // status or quarter
	Currency  string
	Columns   []roadmapColumn
	Collapsed []roadmapColumn // open and under review: many, rarely looked at on a roadmap
	Empty     bool
}

// roadmap: GET /roadmap, requests by status (planned, in progress, recently
// shipped), or by quarter with ?view=quarter. Cards are ordered by MRR asking.
func (ui *Web) roadmap(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	now := ui.now()
	reqs, err := ui.Store.ListRequests(ctx, store.RequestFilter{})
	if err != nil {
		return err
	}
	ranks, err := ui.Store.RankRequests(ctx, store.RankFilter{}, now)
	if err != nil {
		return err
	}
	settings, err := ui.Store.RankSettings(ctx)
	if err != nil {
		return err
	}
	byID := map[string]feedback.Rank{}
	for _, rr := range ranks {
		byID[rr.ID] = rr.Rank
	}
	d := roadmapData{View: "status", Currency: settings.Currency, Empty: len(reqs) == 0}
	if r.URL.Query().Get("view") == "quarter" {
		d.View = "quarter"
	}
	card := func(q feedback.Request) roadmapCard {
		rk := byID[q.ID]
		return roadmapCard{Request: q, Accounts: rk.Accounts, MRR: rk.MRR}
	}
	recent := func(q feedback.Request) bool {
		return q.Status == feedback.Shipped && now.Sub(q.ShippedAt) <= shippedWindow
	}
	if d.View == "status" {
		cols := map[feedback.RequestStatus]*roadmapColumn{}
		for _, s := range []feedback.RequestStatus{feedback.Planned, feedback.InProgress, feedback.Shipped} {
			title := s.Label()
			if s == feedback.Shipped {
				title = "shipped (last 90 days)"
			}
			d.Columns = append(d.Columns, roadmapColumn{Key: string(s), Title: title})
		}
		for _, s := range []feedback.RequestStatus{feedback.Open, feedback.UnderReview} {
			d.Collapsed = append(d.Collapsed, roadmapColumn{Key: string(s), Title: s.Label()})
		}
		for i := range d.Columns {
			cols[feedback.RequestStatus(d.Columns[i].Key)] = &d.Columns[i]
		}
		for i := range d.Collapsed {
			cols[feedback.RequestStatus(d.Collapsed[i].Key)] = &d.Collapsed[i]
		}
		for _, q := range reqs {
			if c := cols[q.Status]; c != nil && (q.Status != feedback.Shipped || recent(q)) {
				c.Cards = append(c.Cards, card(q))
			}
		}
	} else {
		byQ := map[string]*roadmapColumn{}
		var keys []string
		for _, q := range reqs {
			if q.Status == feedback.Declined || q.Status == feedback.Shipped && !recent(q) {
				continue
			}
			if q.Quarter == "" && q.Status != feedback.Planned && q.Status != feedback.InProgress {
				continue // unscheduled ideas are not on a roadmap yet
			}
			k := q.Quarter
			if byQ[k] == nil {
				title := k
				if k == "" {
					title = "no quarter yet"
				}
				byQ[k] = &roadmapColumn{Key: k, Title: title}
				keys = append(keys, k)
			}
			byQ[k].Cards = append(byQ[k].Cards, card(q))
		}
		// Quarters in time order; "no quarter yet" last.
		sort.Slice(keys, func(i, j int) bool { return keys[j] == "" || keys[i] != "" && keys[i] < keys[j] })
		for _, k := range keys {
			d.Columns = append(d.Columns, *byQ[k])
		}
	}
	for _, cs := range [][]roadmapColumn{d.Columns, d.Collapsed} {
		for i := range cs {
			sort.SliceStable(cs[i].Cards, func(a, b int) bool { return cs[i].Cards[a].MRR > cs[i].Cards[b].MRR })
		}
	}
	return ui.render(w, r, http.StatusOK, "roadmap", "Roadmap", "roadmap", d)
}
