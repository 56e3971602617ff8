package api

import (
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

func (a *API) registerContracts(rt *router.Router) {
	rt.API("GET /api/v1/contracts", auth.ScopeRead, a.listContracts)
	rt.API("POST /api/v1/contracts", auth.ScopeWrite, a.createContract)
	rt.API("GET /api/v1/contracts/{id}", auth.ScopeRead, getOne("contract", "id", a.Store.GetContract))
	rt.API("PUT /api/v1/contracts/{id}", auth.ScopeWrite, a.putContract)
	rt.API("PATCH /api/v1/contracts/{id}", auth.ScopeWrite, a.patchContract)
	rt.API("DELETE /api/v1/contracts/{id}", auth.ScopeWrite, deleteOne("contract", a.Store.DeleteContract))
}

func (a *API) listContracts(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "account_id", "renewal_from", "renewal_before", "cursor", "limit")
	if err != nil {
		return err
	}
	f := store.ContractFilter{AccountID: p.str("account_id")}
	if f.RenewalFrom, err = p.date("renewal_from"); err != nil {
		return err
	}
	if f.RenewalBefore, err = p.date("renewal_before"); err != nil {
		return err
	}
	if f.Limit, f.After, err = p.page(100, "contracts"); err != nil {
		return err
	}
	items, next, err := a.Store.ListContracts(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(items, encodeCursor("contracts", next)))
}

// contractInput is a contract as clients send it: every field optional so one type
// serves create, PUT and PATCH; ids and timestamps are ours to set.
type contractInput struct {
	AccountID          *string `json:"account_id"`
	StartDate          *string `json:"start_date"`
	TermMonths         *int    `json:"term_months"`
	RenewalDate        *string `json:"renewal_date"`
	AutoRenew          *bool   `json:"auto_renew"`
	CancellationWindow *int    `json:"cancellation_window_days"`
	Value              *int64  `json:"value"`
	Currency           *string `json:"currency"`
}

func (a *API) readContract(w http.ResponseWriter, r *http.Request) (contractInput, error) {
	var in contractInput
	_, err := decodeBody(w, r, &in)
	return in, err
}

// apply copies the set fields onto c. A new start or term without an explicit
// renewal date re-derives the renewal date rather than keeping a stale one.
func (in *contractInput) apply(c *account.Contract) {
	set(&c.AccountID, in.AccountID)
	set(&c.StartDate, in.StartDate)
	set(&c.TermMonths, in.TermMonths)
	set(&c.AutoRenew, in.AutoRenew)
	set(&c.CancellationWindow, in.CancellationWindow)
	set(&c.Value, in.Value)
	set(&c.Currency, in.Currency)
	c.Currency = strings.ToUpper(strings.TrimSpace(c.Currency))
	if in.RenewalDate != nil {
		c.RenewalDate = *in.RenewalDate
	} else if in.StartDate != nil || in.TermMonths != nil {
		c.RenewalDate = ""
	}
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// checkContractCurrency holds contracts to the revenue currency rules; the contract
// type itself does not check its currency.
func checkContractCurrency(c *account.Contract) error {
	if c.Currency == "" && c.Value > 0 {
		return router.FieldErr("currency", "is required when value is set")
	}
	if c.Currency != "" && !revenue.ValidCurrency(c.Currency) {
		return &router.Error{Status: http.StatusBadRequest, Field: "currency", Msg: revenue.ErrBadCurrency.Error()}
	}
	return nil
}

func (a *API) saveContract(w http.ResponseWriter, r *http.Request, status int, c *account.Contract) error {
	if err := checkContractCurrency(c); err != nil {
		return err
	}
	if err := a.Store.SaveContract(r.Context(), c); err != nil {
		return notFound(err, "contract")
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", "/api/v1/contracts/"+c.ID)
	}
	return writeJSON(w, status, c)
}

func (a *API) createContract(w http.ResponseWriter, r *http.Request) error {
	in, err := a.readContract(w, r)
	if err != nil {
		return err
	}
	var c account.Contract
	in.apply(&c)
	return a.saveContract(w, r, http.StatusCreated, &c)
}

// existingContract loads the contract a PUT or PATCH changes. A contract stays with
// its account: moving it would leave two accounts' renewal dates to fix up.
func (a *API) existingContract(r *http.Request, in contractInput) (account.Contract, error) {
	c, err := a.Store.GetContract(r.Context(), r.PathValue("id"))
	if err != nil {
		return c, notFound(err, "contract")
	}
	if in.AccountID != nil && *in.AccountID != c.AccountID {
		return c, router.FieldErr("account_id", "cannot change: delete the contract and create it on the other account")
	}
	return c, nil
}

func (a *API) putContract(w http.ResponseWriter, r *http.Request) error {
	in, err := a.readContract(w, r)
	if err != nil {
		return err
	}
	old, err := a.existingContract(r, in)
	if err != nil {
		return err
	}
	// PUT replaces: fields left out go back to their zero values.
	c := account.Contract{ID: old.ID, AccountID: old.AccountID, CreatedAt: old.CreatedAt}
	in.apply(&c)
	return a.saveContract(w, r, http.StatusOK, &c)
}

func (a *API) patchContract(w http.ResponseWriter, r *http.Request) error {
	in, err := a.readContract(w, r)
	if err != nil {
		return err
	}
	c, err := a.existingContract(r, in)
	if err != nil {
		return err
	}
	in.apply(&c)
	return a.saveContract(w, r, http.StatusOK, &c)
}
