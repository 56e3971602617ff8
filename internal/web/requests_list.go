package web

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// requestSorts are the ranking table's columns, each sortable. Numbers sort largest
// first on the first click, text A→Z.
var requestSorts = []struct {
	Key, Label string
	Num        bool
}{
	{"title", "Request", false}, {"status", "Status", false}, {"accounts", "Accounts", true}, {"people", "People", true},
	{"mrr", "MRR", true}, {"churned", "Churned MRR", true}, {"atrisk", "MRR at risk", true}, {"trend", "Trend", true},
	{"strategic", "Strategic", true}, {"priority", "Priority", true},
}

type requestsQuery struct {
	Tier, Plan, Stage, Kind, From, To string
	Last                              string // "30" or "90": the last N days
	Sort                              string
	Asc                               bool
}

func parseRequestsQuery(v url.Values) requestsQuery {
	q := requestsQuery{Tier: v.Get("tier"), Plan: v.Get("plan"), Stage: v.Get("stage"), Kind: v.Get("kind"),
		From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to")), Last: v.Get("last"), Sort: v.Get("sort"), Asc: v.Get("dir") == "asc"}
	ok := false
	for _, s := range requestSorts {
		ok = ok || s.Key == q.Sort
	}
	if !ok {
		q.Sort = "priority"
	}
	return q
}

func (q requestsQuery) url() string {
	v := url.Values{}
	for k, val := range map[string]string{"tier": q.Tier, "plan": q.Plan, "stage": q.Stage, "kind": q.Kind, "from": q.From, "to": q.To, "last": q.Last} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if q.Sort != "priority" {
		v.Set("sort", q.Sort)
	}
	if q.Asc {
		v.Set("dir", "asc")
	}
	if e := v.Encode(); e != "" {
		return "/requests?" + e
	}
	return "/requests"
}

// Filtered says whether any filter narrows the evidence.
func (q requestsQuery) Filtered() bool {
	return q.Tier != "" || q.Plan != "" || q.Stage != "" || q.Kind != "" || q.From != "" || q.To != "" || q.Last != ""
}

type requestForm struct {
	Title, Description string
	Errors             map[string]string
}

type requestsData struct {
	Q        requestsQuery
	Rows     []store.RequestRank
	Sorts    []sortLink
	Settings store.RankSettings
	Tiers    []string
	Plans    []string
	Stages   []option
	Kinds    []kindOption
	Errors   map[string]string
	Form     requestForm
	AnyAtAll bool
}

// renderRequests: GET /requests, feature requests ranked by the revenue asking for
// them (form is a refused new request's).
func (ui *Web) renderRequests(w http.ResponseWriter, r *http.Request, status int, form requestForm) error {
	ctx := r.Context()
	q := parseRequestsQuery(r.URL.Query())
	d := requestsData{Q: q, Tiers: ui.Config.Tiers, Kinds: kindOptions(feedback.Kind(q.Kind)), Errors: map[string]string{}, Form: form}
	f := store.RankFilter{Tier: q.Tier, Plan: q.Plan, Stage: q.Stage}
	if q.Kind != "" {
		if k := feedback.Kind(q.Kind); k.Valid() {
			f.Kind = k
		} else {
			d.Errors["kind"] = "Unknown kind."
		}
	}
	date := func(field, s string, dst *time.Time, end bool) {
		if s == "" {
			return
		}
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			d.Errors[field] = "Enter a date such as 2026-03-31."
			return
		}
		if end {
			t = t.AddDate(0, 0, 1) // "to" includes that whole day
		}
		*dst = t
	}
	date("from", q.From, &f.From, false)
	date("to", q.To, &f.To, true)
	switch q.Last {
	case "":
	case "30", "90":
		if q.From != "" || q.To != "" {
			d.Errors["last"] = "Choose a period or dates, not both."
		} else {
			f.LastDays, _ = strconv.Atoi(q.Last)
		}
	default:
		d.Errors["last"] = "Choose the last 30 or 90 days."
	}
	var err error
	if d.Settings, err = ui.Store.RankSettings(ctx); err != nil {
		return err
	}
	if d.Rows, err = ui.Store.RankRequests(ctx, f, ui.now()); err != nil {
		return err
	}
	d.AnyAtAll = len(d.Rows) > 0
	sortRequests(d.Rows, q.Sort, q.Asc)
	sorted := func(key string, desc bool) string {
		nq := q
		nq.Sort, nq.Asc = key, !desc
		return nq.url()
	}
	for _, s := range requestSorts {
		d.Sorts = append(d.Sorts, newSortLink(s.Key, s.Label, q.Sort, !q.Asc, s.Num, sorted))
	}
	if d.Plans, err = ui.Store.Plans(ctx); err != nil {
		return err
	}
	d.Stages = stageOptions()
	if len(d.Errors) > 0 && status == http.StatusOK {
		status = http.StatusBadRequest
	}
	return ui.render(w, r, status, "requests", "Requests", "requests", d)
}

// sortRequests orders rows by a column; ties keep the ranking's order (priority, MRR).
func sortRequests(rows []store.RequestRank, key string, asc bool) {
	val := func(r store.RequestRank) float64 {
		switch key {
		case "accounts":
			return float64(r.Rank.Accounts)
		case "people":
			return float64(r.Rank.People)
		case "mrr":
			return float64(r.Rank.MRR)
		case "churned":
			return float64(r.Rank.ChurnedMRR)
		case "atrisk":
			return float64(r.Rank.AtRiskMRR)
		case "trend":
			return float64(r.Rank.Trend)
		case "strategic":
			return float64(r.StrategicScore)
		case "status":
			for i, s := range feedback.RequestStatuses {
				if s == r.Status {
					return float64(i)
				}
			}
		}
		return r.Rank.Priority
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if !asc {
			i, j = j, i
		}
		if key == "title" {
			return strings.ToLower(rows[i].Title) < strings.ToLower(rows[j].Title)
		}
		return val(rows[i]) < val(rows[j])
	})
}

// requestCreate: POST /requests adds a request and opens it.
func (ui *Web) requestCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 64<<10); err != nil {
		return err
	}
	f := requestForm{Title: r.PostFormValue("title"), Description: r.PostFormValue("description"), Errors: map[string]string{}}
	req := feedback.Request{Title: f.Title, Description: f.Description, CreatedBy: router.From(r).Member.ID}
	err := ui.Store.CreateRequest(r.Context(), &req)
	if done, err := ui.saved(w, r, err, "Request created.", "/requests/"+url.PathEscape(req.ID), besideField(f.Errors)); done {
		return err
	}
	return ui.renderRequests(w, r, http.StatusUnprocessableEntity, f)
}
