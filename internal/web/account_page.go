package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

const touchpointsPerPage = 20

// movementsInTable bounds the movements table; the chart uses the full history.
const movementsInTable = 24

type contractView struct {
	account.Contract
	DaysToRenewal  int
	NoticeDeadline string
	DaysToNotice   int
	NoticePassed   bool
	Others         int // earlier or later contracts not shown
}

type touchpointForm struct {
	Kind, Direction, PersonID, When, Summary string
	Feedback                                 bool // also log the summary as feedback
	Errors                                   map[string]string
	Error                                    string // not tied to one field
}

type accountData struct {
	A             store.AccountRow
	Contract      *contractView
	Chart         chart
	Movements     []revenue.Movement
	MoreMovements bool
	People        []account.Person
	Touchpoints   []store.TouchpointRow
	OlderHref     string
	NewestHref    string
	Form          touchpointForm
	Kinds         []account.TouchpointKind
	Directions    []account.Direction
	Usage         store.AccountUsage
	UsageGoal     *store.AccountGoal // nil: no usage goal
	GoalError     string
	UsageChart    chart
	Payment       string    // the latest Stripe invoice: "ok", "failed" or "" (none)
	PaymentAt     time.Time // when that invoice was paid or failed
	Health        healthView
	Surveys       accountSurveys
	Playbooks     accountPlaybooks
	Cancellation  *accountCancel           // the latest cancellation survey answer, nil when none
	Activation    *store.AccountActivation // nil: no key steps configured
}

func (ui *Web) accountPage(w http.ResponseWriter, r *http.Request) error {
	d, err := ui.loadAccount(r, r.PathValue("id"), r.URL.Query().Get("before"))
	if err != nil {
		return err
	}
	d.Form = touchpointForm{Kind: string(account.Email), When: ui.now().Format(whenLayout)}
	return ui.render(w, r, http.StatusOK, "account", d.A.Name, "accounts", d)
}

// loadAccount gathers everything the account page shows. before pages the timeline.
func (ui *Web) loadAccount(r *http.Request, id, before string) (*accountData, error) {
	ctx := r.Context()
	a, err := ui.getAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	d := &accountData{A: a, Kinds: account.TouchpointKinds, Directions: account.Directions}
	if d.Payment, d.PaymentAt, err = ui.Store.PaymentState(ctx, id); err != nil {
		return nil, err
	}
	if d.Usage, err = ui.Store.AccountUsage(ctx, id, ui.now(), 90); err != nil {
		return nil, err
	}
	d.UsageChart = usageChart(d.Usage)
	if d.UsageGoal, err = ui.Store.Goal(ctx, id, ui.now()); err != nil {
		return nil, err
	}
	if d.Activation, err = ui.Store.AccountActivation(ctx, id); err != nil {
		return nil, err
	}
	if d.Health, err = ui.loadHealth(ctx, id); err != nil {
		return nil, err
	}
	if d.Surveys, err = ui.loadAccountSurveys(ctx, id); err != nil {
		return nil, err
	}
	if d.Playbooks, err = ui.loadAccountPlaybooks(ctx, id); err != nil {
		return nil, err
	}
	if d.Cancellation, err = ui.loadAccountCancel(ctx, id); err != nil {
		return nil, err
	}

	contracts, _, err := ui.Store.ListContracts(ctx, store.ContractFilter{AccountID: id, Limit: 500})
	if err != nil {
		return nil, err
	}
	if len(contracts) > 0 {
		// The current contract is the latest-starting one, the same rule the store
		// uses to set the account's renewal date.
		cur := contracts[0]
		for _, c := range contracts[1:] {
			if c.StartDate > cur.StartDate || c.StartDate == cur.StartDate && c.ID > cur.ID {
				cur = c
			}
		}
		now := ui.now()
		cv := &contractView{Contract: cur, DaysToRenewal: cur.DaysToRenewal(now), NoticeDeadline: cur.NoticeDeadline(), Others: len(contracts) - 1}
		notice := account.Contract{RenewalDate: cv.NoticeDeadline}
		cv.DaysToNotice = notice.DaysToRenewal(now)
		cv.NoticePassed = cv.DaysToNotice < 0
		d.Contract = cv
	}

	moves, err := ui.Store.ListMovements(ctx, store.MovementFilter{AccountID: id, Limit: 10000})
	if err != nil {
		return nil, err
	}
	d.Chart = mrrChart(moves, a.Currency, ui.now())
	d.Movements = moves
	if len(moves) > movementsInTable {
		d.Movements, d.MoreMovements = moves[:movementsInTable], true
	}

	d.People, _, err = ui.Store.ListPeople(ctx, store.PersonFilter{AccountID: id, Limit: 500})
	if err != nil {
		return nil, err
	}
	tps, next, err := ui.Store.ListTouchpoints(ctx, store.TouchpointFilter{AccountID: id, Before: before, Limit: touchpointsPerPage})
	if err != nil {
		return nil, err
	}
	d.Touchpoints = tps
	base := "/accounts/" + url.PathEscape(id)
	if next != "" {
		d.OlderHref = base + "?before=" + url.QueryEscape(next) + "#timeline"
	}
	if before != "" {
		d.NewestHref = base + "#timeline"
	}
	return d, nil
}

// getAccount names the missing thing, so the 404 page says "account not found".
func (ui *Web) getAccount(ctx context.Context, id string) (store.AccountRow, error) {
	a, err := ui.Store.GetAccount(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return a, router.NotFound("account")
	}
	return a, err
}

// whenLayout is what <input type="datetime-local"> sends and accepts.
const whenLayout = "2006-01-02T15:04"

func parseWhen(s string) (time.Time, bool) {
	for _, l := range []string{whenLayout, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
