package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/store"
)

func (ui *Web) home(w http.ResponseWriter, r *http.Request) error {
	return seeOther(w, r, "/today")
}

// listQuery is the accounts list's state, all in the URL so any view can be shared.
type listQuery struct {
	Q, Tier, Stage, Owner, Plan string
	Cadence                     string // "overdue": only accounts not contacted within their tier's cadence
	Sort                        string // name, mrr, renewal, signup
	Desc                        bool
	Cursor                      string
	Limit                       int
}

const defaultPageSize = 50

var listSorts = []struct{ Key, Label string }{
	{"name", "Name"}, {"mrr", "MRR"}, {"renewal", "Renewal"}, {"signup", "Signup"},
}

func parseListQuery(v url.Values) listQuery {
	q := listQuery{
		Q:       strings.TrimSpace(v.Get("q")),
		Tier:    v.Get("tier"),
		Stage:   v.Get("stage"),
		Owner:   v.Get("owner"),
		Plan:    v.Get("plan"),
		Cadence: v.Get("cadence"),
		Sort:    v.Get("sort"),
		Desc:    v.Get("dir") == "desc",
		Cursor:  v.Get("cursor"),
		Limit:   defaultPageSize,
	}
	valid := false
	for _, s := range listSorts {
		valid = valid || s.Key == q.Sort
	}
	if !valid {
		q.Sort = "name"
	}
	if q.Cadence != "overdue" {
		q.Cadence = ""
	}
	if n, err := strconv.Atoi(v.Get("limit")); err == nil && n > 0 && n <= 200 {
		q.Limit = n
	}
	return q
}

// values encodes the query back, leaving out defaults so URLs stay short.
func (q listQuery) values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("q", q.Q)
	set("tier", q.Tier)
	set("stage", q.Stage)
	set("owner", q.Owner)
	set("plan", q.Plan)
	set("cadence", q.Cadence)
	if q.Sort != "name" {
		v.Set("sort", q.Sort)
	}
	if q.Desc {
		v.Set("dir", "desc")
	}
	if q.Limit != defaultPageSize {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	set("cursor", q.Cursor)
	return v
}

func (q listQuery) url() string {
	if e := q.values().Encode(); e != "" {
		return "/accounts?" + e
	}
	return "/accounts"
}

func (q listQuery) filtered() bool {
	return q.Q != "" || q.Tier != "" || q.Stage != "" || q.Owner != "" || q.Plan != "" || q.Cadence != ""
}

type sortLink struct {
	Key, Label, Href string
	Active, Desc     bool
	AriaSort         string
}

// newSortLink is a column's header link on a list sorted by current (desc when
// descending): clicking the current column flips the direction, another column starts
// descending when firstDesc. href is the list's URL sorted by a column, a direction.
func newSortLink(key, label, current string, desc, firstDesc bool, href func(key string, desc bool) string) sortLink {
	l := sortLink{Key: key, Label: label, Active: current == key, Desc: desc, AriaSort: "none"}
	next := firstDesc
	if l.Active {
		next = !desc
		l.AriaSort = "ascending"
		if desc {
			l.AriaSort = "descending"
		}
	}
	l.Href = href(key, next)
	return l
}

type option struct {
	Value, Label string
}

type accountsData struct {
	Q        listQuery
	Page     store.AccountPage
	Sorts    map[string]sortLink
	Tiers    []string
	Stages   []option
	Owners   []option
	Plans    []string
	NextHref string
	FirstURL string
	Filtered bool
	ClearURL string
	AnyAtAll bool // whether there are accounts at all, to tell "none match" from "none yet"
}

func (ui *Web) accountsList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := parseListQuery(r.URL.Query())
	f := store.AccountFilter{Tier: q.Tier, Stage: q.Stage, Plan: q.Plan, Q: q.Q, Sort: q.Sort, Desc: q.Desc, Cursor: q.Cursor, Limit: q.Limit,
		CadenceOverdue: q.Cadence == "overdue"}
	switch q.Owner {
	case "":
	case "unowned":
		f.Unowned = true
	default:
		f.OwnerID = q.Owner
	}
	page, err := ui.Store.ListAccounts(ctx, f)
	if err != nil {
		return err
	}
	members, err := ui.Store.ListMembers(ctx)
	if err != nil {
		return err
	}
	plans, err := ui.Store.Plans(ctx)
	if err != nil {
		return err
	}
	d := accountsData{Q: q, Page: page, Tiers: ui.Config.Tiers, Plans: plans, Filtered: q.filtered(), Sorts: map[string]sortLink{}}
	d.AnyAtAll = page.Total > 0
	if !d.AnyAtAll && q.filtered() {
		n, err := ui.Store.CountAccounts(ctx)
		if err != nil {
			return err
		}
		d.AnyAtAll = n > 0
	}
	d.Stages = stageOptions()
	d.Owners = ownerOptions(members, true)
	sorted := func(key string, desc bool) string {
		nq := q
		nq.Cursor, nq.Sort, nq.Desc = "", key, desc
		return nq.url()
	}
	for _, s := range listSorts {
		// Another column starts ascending by name and descending by money, which is
		// what people look for.
		d.Sorts[s.Key] = newSortLink(s.Key, s.Label, q.Sort, q.Desc, s.Key == "mrr", sorted)
	}
	if page.Next != "" {
		nq := q
		nq.Cursor = page.Next
		d.NextHref = nq.url()
	}
	if q.Cursor != "" {
		fq := q
		fq.Cursor = ""
		d.FirstURL = fq.url()
	}
	d.ClearURL = "/accounts"
	return ui.render(w, r, http.StatusOK, "accounts", "Accounts", "accounts", d)
}

// ownerOptions lists team members for owner menus; disabled members are left out
// because nobody should be given new accounts to them.
// assigneeOptions are the members work can be given to: those who are not viewers.
func assigneeOptions(members []auth.Member) []option {
	var workers []auth.Member
	for _, m := range members {
		if m.Role != auth.RoleViewer {
			workers = append(workers, m)
		}
	}
	return ownerOptions(workers, false)
}

func ownerOptions(members []auth.Member, withUnowned bool) []option {
	var out []option
	if withUnowned {
		out = append(out, option{"unowned", "Unowned"})
	}
	for _, m := range members {
		if m.Disabled {
			continue
		}
		label := m.Name
		if label == "" {
			label = m.Email
		}
		out = append(out, option{m.ID, label})
	}
	return out
}

// stageOptions are the lifecycle stages for a select, in order.
func stageOptions() []option {
	out := make([]option, 0, len(account.Stages))
	for _, s := range account.Stages {
		out = append(out, option{string(s), s.Label()})
	}
	return out
}
