package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

func (a *API) listMovements(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "account_id", "kind", "from", "to", "cursor", "limit")
	if err != nil {
		return err
	}
	f := store.MovementFilter{AccountID: p.str("account_id")}
	if f.Kind, err = oneOfKind(p, "kind", revenue.Kinds); err != nil {
		return err
	}
	if f.From, err = p.time("from"); err != nil {
		return err
	}
	if f.To, err = p.time("to"); err != nil {
		return err
	}
	limit, err := p.limit(100)
	if err != nil {
		return err
	}
	if f.Before, err = p.cursor("mrr-movements"); err != nil {
		return err
	}
	// Movement ids start with their effective time, so the store's id cursor follows
	// its newest-first order; one extra row tells whether another page exists.
	f.Limit = limit + 1
	items, err := a.Store.ListMovements(r.Context(), f)
	if err != nil {
		return err
	}
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = items[limit-1].ID
	}
	return writeJSON(w, http.StatusOK, newList(items, encodeCursor("mrr-movements", next)))
}

// movementInput is either a new MRR level (mrr) from which the movement is computed,
// or an explicit movement (kind and delta) that is checked against the history.
type movementInput struct {
	AccountID   string  `json:"account_id"`
	MRR         *int64  `json:"mrr"`
	Kind        *string `json:"kind"`
	Delta       *int64  `json:"delta"`
	Currency    *string `json:"currency"`
	EffectiveAt *string `json:"effective_at"`
	Note        string  `json:"note"`
}

func (a *API) createMovement(w http.ResponseWriter, r *http.Request) error {
	var in movementInput
	if _, err := decodeBody(w, r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.AccountID) == "" {
		return router.FieldErr("account_id", "is required")
	}
	acc, err := refersTo(r.Context(), "account_id", "account", in.AccountID, a.Store.GetAccount)
	if err != nil {
		return err
	}
	if len(in.Note) > 2000 {
		return router.FieldErr("note", "is longer than 2000 characters")
	}
	var at time.Time
	if in.EffectiveAt != nil {
		if at, err = parseTime(*in.EffectiveAt); err != nil {
			return router.FieldErr("effective_at", fmt.Sprintf("%q is neither a date (YYYY-MM-DD) nor an RFC 3339 timestamp", *in.EffectiveAt))
		}
	}
	currency := acc.Currency
	if in.Currency != nil {
		currency = strings.ToUpper(strings.TrimSpace(*in.Currency))
	}
	if in.MRR != nil {
		if in.Kind != nil || in.Delta != nil {
			return router.FieldErr("mrr", "cannot be combined with kind and delta: send either the new mrr or an explicit movement")
		}
		if currency == "" {
			return router.FieldErr("currency", "is required: the account has no billing currency yet")
		}
		if at.IsZero() {
			at = time.Now()
		}
		m, changed, err := a.Store.SetMRR(r.Context(), acc.ID, *in.MRR, currency, at, in.Note)
		if err != nil {
			return err
		}
		if !changed {
			return writeJSON(w, http.StatusOK, map[string]bool{"changed": false})
		}
		return writeJSON(w, http.StatusCreated, m)
	}
	switch {
	case in.Kind == nil:
		return router.FieldErr("kind", "is required (or send mrr to have the movement computed)")
	case !revenue.Kind(*in.Kind).Valid():
		return router.FieldErr("kind", "must be one of "+strings.Join(names(revenue.Kinds), ", "))
	case in.Delta == nil:
		return router.FieldErr("delta", "is required with kind")
	case in.Currency == nil:
		return router.FieldErr("currency", "is required with kind")
	case in.EffectiveAt == nil:
		return router.FieldErr("effective_at", "is required with kind")
	}
	m := revenue.Movement{AccountID: acc.ID, Kind: revenue.Kind(*in.Kind), Delta: *in.Delta, Currency: currency, EffectiveAt: at, Note: in.Note}
	if err := a.Store.AddMovement(r.Context(), &m); err != nil {
		return err // a refused movement names its field: delta, kind, currency or effective_at
	}
	return writeJSON(w, http.StatusCreated, m)
}
