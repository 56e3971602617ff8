// Package demo generates realistic, deterministic customer data: accounts across
// tiers and plans with MRR histories (new, expansion, contraction, churn,
// reactivation), people, contracts renewing over the coming year, and touchpoints.
// The same seed and date give the same data. closeloop demo uses it for a populated
// instance; closeloop gen uses it at scale.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/id"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/store"
)

// Options control generation.
type Options struct {
	Accounts  int
	Seed      uint64
	Now       time.Time // the generator's "today"; defaults to the current day
	Months    int       // months of MRR history; default 18
	StartAt   int       // first external-id number, so several runs can add to one database
	BatchSize int       // accounts per transaction; default 1000
	Progress  func(done, total int)
}

// Summary counts what was written.
type Summary struct {
	Accounts, People, Contracts, Movements, Touchpoints, Members int
}

type plan struct {
	name             string
	minMRR, maxMRR   int64 // major units per month
	seatsMin, seatsX int
	churnPerMonth    float64
}

var plans = []plan{
	{"starter", 49, 199, 1, 5, 0.025},
	{"growth", 300, 1200, 5, 30, 0.012},
	{"business", 1500, 5000, 25, 150, 0.007},
	{"enterprise", 6000, 30000, 100, 2000, 0.004},
}

// CSMs are the generated team members who own accounts; they cannot sign in (no
// password) until an admin sets one.
var CSMs = []auth.Member{
	{Email: "maria.santos@demo.closeloop.dev", Name: "Maria Santos", Role: auth.RoleMember},
	{Email: "james.okoro@demo.closeloop.dev", Name: "James Okoro", Role: auth.RoleMember},
	{Email: "li.wei@demo.closeloop.dev", Name: "Li Wei", Role: auth.RoleMember},
	{Email: "sofia.berg@demo.closeloop.dev", Name: "Sofia Berg", Role: auth.RoleMember},
	{Email: "omar.haddad@demo.closeloop.dev", Name: "Omar Haddad", Role: auth.RoleMember},
	{Email: "nina.kowalski@demo.closeloop.dev", Name: "Nina Kowalski", Role: auth.RoleMember},
}

// Generate writes opts.Accounts accounts and everything around them into s.
func Generate(ctx context.Context, s *store.Store, opts Options) (Summary, error) {
	var sum Summary
	if opts.Accounts <= 0 {
		return sum, fmt.Errorf("demo: --accounts must be at least 1")
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	opts.Now = time.Date(opts.Now.Year(), opts.Now.Month(), opts.Now.Day(), 12, 0, 0, 0, time.UTC)
	if opts.Months <= 0 {
		opts.Months = 18
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	csms, made, err := ensureCSMs(ctx, s)
	if err != nil {
		return sum, err
	}
	sum.Members = made
	g := &gen{rng: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)), opts: opts, csms: csms, s: s, slugs: map[string]bool{}}
	for start := 0; start < opts.Accounts; start += opts.BatchSize {
		n := min(opts.BatchSize, opts.Accounts-start)
		var b store.Batch
		for i := 0; i < n; i++ {
			g.account(&b, opts.StartAt+start+i)
		}
		if err := s.BulkLoad(ctx, &b); err != nil {
			return sum, err
		}
		sum.Accounts += len(b.Accounts)
		sum.People += len(b.People)
		sum.Contracts += len(b.Contracts)
		sum.Movements += len(b.Movements)
		sum.Touchpoints += len(b.Touchpoints)
		if opts.Progress != nil {
			opts.Progress(start+n, opts.Accounts)
		}
	}
	return sum, nil
}

func ensureCSMs(ctx context.Context, s *store.Store) ([]auth.Member, int, error) {
	var out []auth.Member
	made := 0
	for _, c := range CSMs {
		m, err := s.GetMemberByEmail(ctx, c.Email)
		if err == nil {
			out = append(out, m)
			continue
		}
		m = c
		if err := s.CreateMember(ctx, &m); err != nil {
			return nil, 0, err
		}
		out = append(out, m)
		made++
	}
	return out, made, nil
}

type gen struct {
	rng   *rand.Rand
	opts  Options
	csms  []auth.Member
	s     *store.Store
	slugs map[string]bool
}

func (g *gen) pick(list []string) string { return list[g.rng.IntN(len(list))] }

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

func (g *gen) between(lo, hi int64) int64 { return lo + g.rng.Int64N(hi-lo+1) }

// id makes deterministic IDs in the application's format: the same seed gives the
// same IDs (stable demo links), and they sort by time like every other ID.
func (g *gen) id(t time.Time) string { return idSeeded(t, g.rng.Uint64) }

func idSeeded(t time.Time, next func() uint64) string { return id.NewAtSeeded(t, next) }

func (g *gen) account(b *store.Batch, n int) {
	now := g.opts.Now
	pl := plans[weighted(g.rng, []float64{0.45, 0.30, 0.18, 0.07})]
	tier := "standard"
	switch pl.name {
	case "enterprise":
		tier = "strategic"
	case "business":
		tier = "important"
		if g.chance(0.3) {
			tier = "strategic"
		}
	case "growth":
		if g.chance(0.35) {
			tier = "important"
		}
	}
	head, tail, kind := g.pick(companyHeads), g.pick(companyTails), g.pick(companyKinds)
	name := fmt.Sprintf("%s%s %s", head, tail, kind)
	slug := strings.ToLower(head + tail)
	// Names repeat beyond a few hundred accounts, and people's emails hang off the
	// domain, so every account gets a domain of its own.
	if n >= 300 || g.slugs[slug] {
		name = fmt.Sprintf("%s %d", name, n)
		slug = fmt.Sprintf("%s%d", slug, n)
	}
	g.slugs[slug] = true
	domain := slug + []string{".com", ".io", ".co", ".dev"}[g.rng.IntN(4)]
	// Signups: most within the history window, some older, a few brand new trials.
	historyStart := now.AddDate(0, -g.opts.Months, 0)
	var signup time.Time
	switch r := g.rng.Float64(); {
	case r < 0.04:
		signup = now.AddDate(0, 0, -g.rng.IntN(14))
	case r < 0.30:
		signup = historyStart.AddDate(0, -g.rng.IntN(18)-1, 0)
	default:
		signup = historyStart.Add(time.Duration(g.rng.Int64N(int64(now.Sub(historyStart)))))
	}
	signup = time.Date(signup.Year(), signup.Month(), signup.Day(), 9+g.rng.IntN(8), 0, 0, 0, time.UTC)
	currency := "USD"
	switch r := g.rng.Float64(); {
	case r < 0.15:
		currency = "EUR"
	case r < 0.20:
		currency = "GBP"
	}
	a := account.Account{
		ID:          g.id(signup),
		ExternalID:  fmt.Sprintf("acc_%05d", n+1),
		Name:        name,
		Domain:      domain,
		Plan:        pl.name,
		Seats:       pl.seatsMin + g.rng.IntN(pl.seatsX-pl.seatsMin+1),
		CompanySize: []int{10, 50, 200, 1000, 5000}[min(4, weighted(g.rng, []float64{0.3, 0.3, 0.2, 0.12, 0.08})+planIndex(pl.name)/2)],
		Tier:        tier,
		SignupDate:  signup.Format("2006-01-02"),
		Goal:        g.pick(goals),
		CAB:         tier == "strategic" && g.chance(0.25),
		CreatedAt:   signup,
		Traits:      []byte(fmt.Sprintf(`{"region":%q,"industry":%q}`, g.pick([]string{"amer", "emea", "apac"}), strings.ToLower(kind))),
	}
	fit := int(g.between(20, 100))
	if g.chance(0.1) {
		a.ICPFit = nil
	} else {
		a.ICPFit = &fit
	}
	if tier != "standard" || g.chance(0.5) {
		a.OwnerID = g.csms[g.rng.IntN(len(g.csms))].ID
	}

	// MRR history, month by month from signup.
	trial := now.Sub(signup) < 14*24*time.Hour
	var mrr int64
	churned := false
	var lastChurn time.Time
	unit := int64(100)
	if currency == "JPY" {
		unit = 1
	}
	add := func(kind revenue.Kind, next int64, at time.Time) {
		b.Movements = append(b.Movements, revenue.Movement{ID: g.id(at), AccountID: a.ID, Kind: kind, Delta: next - mrr, Currency: currency, EffectiveAt: at})
		mrr = next
	}
	if !trial {
		start := signup.AddDate(0, 0, 14) // paid after a two-week trial
		if start.After(now) {
			start = now
		}
		add(revenue.New, g.between(pl.minMRR, pl.maxMRR)*unit, start)
		for t := start.AddDate(0, 1, 0); t.Before(now); t = t.AddDate(0, 1, 0) {
			switch {
			case churned:
				if g.chance(0.04) && t.Sub(lastChurn) > 60*24*time.Hour {
					add(revenue.Reactivation, g.between(pl.minMRR, pl.maxMRR)*unit, t)
					churned = false
				}
			case g.chance(pl.churnPerMonth):
				add(revenue.Churn, 0, t)
				churned, lastChurn = true, t
			case g.chance(0.045):
				add(revenue.Expansion, mrr+mrr*g.between(10, 60)/100/unit*unit+unit, t)
			case g.chance(0.02) && mrr > pl.minMRR*unit:
				add(revenue.Contraction, max(pl.minMRR*unit, mrr-mrr*g.between(10, 40)/100/unit*unit), t)
			}
		}
	}
	switch {
	case trial:
		a.Stage = account.Trial
	case churned:
		a.Stage = account.Churned
	case now.Sub(signup) < 60*24*time.Hour:
		a.Stage = account.Onboarding
	case g.chance(0.09):
		a.Stage = account.AtRisk
	default:
		a.Stage = account.Active
	}
	b.Accounts = append(b.Accounts, a)

	// Contract: renews on the next anniversary of the paid start, so renewals spread
	// over the coming year. Churned accounts keep the contract that lapsed.
	if !trial {
		term := 12
		if pl.name == "enterprise" && g.chance(0.3) {
			term = 24
		}
		paid := signup.AddDate(0, 0, 14)
		start := paid
		for start.AddDate(0, term, 0).Before(now) && !(churned && start.AddDate(0, term, 0).After(lastChurn)) {
			start = start.AddDate(0, term, 0)
		}
		b.Contracts = append(b.Contracts, account.Contract{
			ID: g.id(start), AccountID: a.ID, StartDate: start.Format("2006-01-02"), TermMonths: term,
			AutoRenew: g.chance(0.7), CancellationWindow: []int{30, 60, 90}[g.rng.IntN(3)],
			Value: mrr * int64(term), Currency: currency,
		})
	}

	// People.
	np := 2 + g.rng.IntN(4)
	if pl.name == "enterprise" {
		np = 5 + g.rng.IntN(8)
	}
	var people []account.Person
	usedEmail := map[string]bool{}
	for i := 0; i < np; i++ {
		first, last := g.pick(firstNames), g.pick(lastNames)
		email := strings.ToLower(first + "." + last + "@" + domain)
		if usedEmail[email] {
			email = strings.ToLower(fmt.Sprintf("%s.%s%d@%s", first, last, i, domain))
		}
		usedEmail[email] = true
		p := account.Person{ID: g.id(signup), ExternalID: fmt.Sprintf("usr_%05d_%02d", n+1, i+1), AccountID: a.ID,
			Email: email, Name: first + " " + last, Title: g.pick(titles), Champion: i == 0}
		people = append(people, p)
	}
	b.People = append(b.People, people...)

	// Touchpoints over the last 120 days, more for more important accounts.
	perMonth := map[string]int{"strategic": 8, "important": 4, "standard": 1}[tier]
	count := perMonth * 4
	if a.Stage == account.Churned {
		count /= 3
	}
	if a.OwnerID == "" {
		count = min(count, 1)
	}
	kinds := []string{"call", "email", "meeting", "chat", "note"}
	for i := 0; i < count; i++ {
		at := now.Add(-time.Duration(g.rng.Int64N(int64(120 * 24 * time.Hour))))
		if at.Before(signup) {
			continue
		}
		k := kinds[weighted(g.rng, []float64{0.25, 0.35, 0.15, 0.1, 0.15})]
		p := people[g.rng.IntN(len(people))]
		tmpl := g.pick(touchTemplates[k])
		summary := fmt.Sprintf(tmpl, p.Name, g.pick(topics))
		dir := account.Outbound
		if strings.Contains(tmpl, "wrote in") || strings.Contains(tmpl, "asked") || strings.Contains(tmpl, "called") {
			dir = account.Inbound
		}
		if k == "note" {
			dir = account.Internal
		}
		b.Touchpoints = append(b.Touchpoints, account.Touchpoint{ID: g.id(at), AccountID: a.ID, PersonID: p.ID, MemberID: a.OwnerID,
			Kind: account.TouchpointKind(k), Direction: dir, OccurredAt: at, Summary: summary})
	}
}

func planIndex(name string) int {
	for i, p := range plans {
		if p.name == name {
			return i
		}
	}
	return 0
}

func weighted(r *rand.Rand, w []float64) int {
	x := r.Float64()
	for i, p := range w {
		if x < p {
			return i
		}
		x -= p
	}
	return len(w) - 1
}
