package api

import (
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

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
	return pageOf(w, r, p, "contracts", 100, &f, &f.Limit, &f.After, a.Store.ListContracts)
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

// contractChange reads a PUT or PATCH body and loads the contract it changes. A
// contract stays with its account: moving it would leave two accounts' renewal dates
// to fix up.
func (a *API) contractChange(w http.ResponseWriter, r *http.Request) (contractInput, account.Contract, error) {
	in, err := a.readContract(w, r)
	if err != nil {
		return in, account.Contract{}, err
	}
	c, err := a.Store.GetContract(r.Context(), r.PathValue("id"))
	if err != nil {
		return in, c, notFound(err, "contract")
	}
	if in.AccountID != nil && *in.AccountID != c.AccountID {
		return in, c, router.FieldErr("account_id", "cannot change: delete the contract and create it on the other account")
	}
	return in, c, nil
}

func (a *API) putContract(w http.ResponseWriter, r *http.Request) error {
	in, old, err := a.contractChange(w, r)
	if err != nil {
		return err
	}
	// PUT replaces: fields left out go back to their zero values.
	c := account.Contract{ID: old.ID, AccountID: old.AccountID, CreatedAt: old.CreatedAt}
	in.apply(&c)
	return a.saveContract(w, r, http.StatusOK, &c)
}

func (a *API) patchContract(w http.ResponseWriter, r *http.Request) error {
	in, c, err := a.contractChange(w, r)
	if err != nil {
		return err
	}
	in.apply(&c)
	return a.saveContract(w, r, http.StatusOK, &c)
}
