package api

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// rankFigures are the figures a ranking can be sorted by, as named in the payload.
var rankFigures = map[string]func(feedback.Rank) float64{
	"priority":        func(r feedback.Rank) float64 { return r.Priority },
	"accounts":        func(r feedback.Rank) float64 { return float64(r.Accounts) },
	"people":          func(r feedback.Rank) float64 { return float64(r.People) },
	"mrr":             func(r feedback.Rank) float64 { return float64(r.MRR) },
	"churned_mrr":     func(r feedback.Rank) float64 { return float64(r.ChurnedMRR) },
	"at_risk_mrr":     func(r feedback.Rank) float64 { return float64(r.AtRiskMRR) },
	"trend":           func(r feedback.Rank) float64 { return float64(r.Trend) },
	"strategic_score": func(r feedback.Rank) float64 { return float64(r.Strategic) },
	"evidence":        func(r feedback.Rank) float64 { return float64(r.Total) },
}

var rankSorts = []string{"priority", "accounts", "people", "mrr", "churned_mrr", "at_risk_mrr", "trend", "strategic_score", "evidence"}

// rankQuery is a ranking request's filter and order.
type rankQuery struct {
	filter store.RankFilter
	sort   string
	desc   bool
	limit  int // 0: every ranked subject
	// settings are the weights and window the ranks are scored with, which the
	// answer repeats.
	settings store.RankSettings
}

func (a *API) readRankQuery(r *http.Request) (rankQuery, error) {
	var q rankQuery
	p, err := queryParams(r, "tier", "plan", "stage", "kind", "from", "to", "last_days", "sort", "order", "limit")
	if err != nil {
		return q, err
	}
	f := store.RankFilter{Plan: p.str("plan")}
	if f.Tier, err = p.oneOf("tier", a.tiers()...); err != nil {
		return q, err
	}
	if f.Stage, err = p.oneOf("stage", names(account.Stages)...); err != nil {
		return q, err
	}
	if f.Kind, err = oneOfKind(p, "kind", feedback.Kinds); err != nil {
		return q, err
	}
	if f.From, err = p.time("from"); err != nil {
		return q, err
	}
	if f.To, err = p.time("to"); err != nil {
		return q, err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return q, router.FieldErr("to", "must be after from")
	}
	if v := p.str("last_days"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 1 || n > 3660:
			return q, router.FieldErr("last_days", "must be a whole number of days from 1 to 3660")
		case !f.From.IsZero() || !f.To.IsZero():
			return q, router.FieldErr("last_days", "cannot be combined with from or to")
		}
		f.LastDays = n
	}
	q.filter = f
	if q.sort, err = p.oneOf("sort", rankSorts...); err != nil {
		return q, err
	}
	if q.sort == "" {
		q.sort = "priority"
	}
	order, err := p.oneOf("order", "asc", "desc")
	if err != nil {
		return q, err
	}
	// Rankings answer "what matters most", so biggest first unless asked otherwise.
	q.desc = order != "asc"
	if p.str("limit") != "" {
		if q.limit, err = p.limit(0); err != nil {
			return q, err
		}
	}
	q.settings, err = a.Store.RankSettings(r.Context())
	return q, err
}

// order sorts ranks by the chosen figure; ties keep the store's order (priority, MRR,
// id), which is stable from call to call.
func order[T any](items []T, rank func(T) feedback.Rank, q rankQuery) []T {
	fig := rankFigures[q.sort]
	slices.SortStableFunc(items, func(x, y T) int {
		c := cmp.Compare(fig(rank(x)), fig(rank(y)))
		if q.desc {
			c = -c
		}
		return c
	})
	if q.limit > 0 && len(items) > q.limit {
		items = items[:q.limit]
	}
	return items
}

// rankingPage is a ranking with the settings that produced it: priorities mean nothing
// without the weights, and money nothing without the currency.
type rankingPage[T any] struct {
	Items             []T              `json:"items"`
	Weights           feedback.Weights `json:"weights"`
	CABWeight         float64          `json:"cab_weight"`
	RenewalWindowDays int              `json:"renewal_window_days"`
	Currency          string           `json:"currency"`
}

func newRankingPage[T any](items []T, s store.RankSettings) rankingPage[T] {
	if items == nil {
		items = []T{}
	}
	return rankingPage[T]{Items: items, Weights: s.Weights, CABWeight: s.CABWeight, RenewalWindowDays: s.RenewalWindowDays, Currency: s.Currency}
}

type requestRanked struct {
	Request requestOut    `json:"request"`
	Rank    feedback.Rank `json:"rank"`
}

func (a *API) rankRequests(w http.ResponseWriter, r *http.Request) error {
	q, err := a.readRankQuery(r)
	if err != nil {
		return err
	}
	ranks, err := a.Store.RankRequests(r.Context(), q.filter, a.Store.Now())
	if err != nil {
		return err
	}
	ranks = order(ranks, func(rr store.RequestRank) feedback.Rank { return rr.Rank }, q)
	out := make([]requestRanked, len(ranks))
	for i, rr := range ranks {
		out[i] = requestRanked{Request: toRequest(rr.Request), Rank: rr.Rank}
	}
	return writeJSON(w, http.StatusOK, newRankingPage(out, q.settings))
}

type tagRanked struct {
	Tag  tagOut        `json:"tag"`
	Rank feedback.Rank `json:"rank"`
}

func (a *API) rankTags(w http.ResponseWriter, r *http.Request) error {
	q, err := a.readRankQuery(r)
	if err != nil {
		return err
	}
	q.settings.Weights.Strategic = 0 // tags have no strategic score; ranking ignores it
	ranks, err := a.Store.RankTags(r.Context(), q.filter, a.Store.Now())
	if err != nil {
		return err
	}
	tree, _, err := a.tagTree(r.Context())
	if err != nil {
		return err
	}
	ranks = order(ranks, func(tr store.TagRank) feedback.Rank { return tr.Rank }, q)
	out := make([]tagRanked, 0, len(ranks))
	for _, tr := range ranks {
		t, ok := tree[tr.TagID]
		if !ok {
			continue // deleted (merged) between the two reads
		}
		out = append(out, tagRanked{Tag: tree.out(t), Rank: tr.Rank})
	}
	return writeJSON(w, http.StatusOK, newRankingPage(out, q.settings))
}
