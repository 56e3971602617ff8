package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// accountPage is the list response; total counts every account matching the filter,
// not just this page, so clients can show "1–50 of 1,234".
type accountPage struct {
	Items      []store.AccountRow `json:"items"`
	NextCursor string             `json:"next_cursor"`
	Total      int                `json:"total"`
}

func (a *API) tiers() []string {
	if len(a.Config.Tiers) > 0 {
		return a.Config.Tiers
	}
	return a.Store.Tiers
}

func (a *API) listAccounts(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "tier", "owner_id", "stage", "plan", "unowned", "cadence_overdue", "q", "sort", "order", "cursor", "limit")
	if err != nil {
		return err
	}
	f := store.AccountFilter{OwnerID: p.str("owner_id"), Plan: p.str("plan"), Q: p.str("q")}
	if f.Tier, err = p.oneOf("tier", a.tiers()...); err != nil {
		return err
	}
	if f.Stage, err = p.oneOf("stage", names(account.Stages)...); err != nil {
		return err
	}
	if f.Unowned, err = p.boolean("unowned"); err != nil {
		return err
	}
	if f.CadenceOverdue, err = p.boolean("cadence_overdue"); err != nil {
		return err
	}
	if f.Unowned && f.OwnerID != "" {
		return router.FieldErr("unowned", "cannot be combined with owner_id")
	}
	if f.Sort, err = p.oneOf("sort", "name", "mrr", "renewal", "signup", "created"); err != nil {
		return err
	}
	if f.Sort == "" {
		f.Sort = "name"
	}
	order, err := p.oneOf("order", "asc", "desc")
	if err != nil {
		return err
	}
	f.Desc = order == "desc"
	if f.Limit, err = p.limit(50); err != nil {
		return err
	}
	// The store's cursor is only meaningful for the sort and direction that made it.
	tag := fmt.Sprintf("accounts/%s/%t", f.Sort, f.Desc)
	if f.Cursor, err = p.cursor(tag); err != nil {
		return err
	}
	page, err := a.Store.ListAccounts(r.Context(), f)
	if errors.Is(err, store.ErrBadCursor) {
		return badCursor()
	}
	if err != nil {
		return err
	}
	out := accountPage{Items: page.Items, NextCursor: encodeCursor(tag, page.Next), Total: page.Total}
	if out.Items == nil {
		out.Items = []store.AccountRow{}
	}
	return writeJSON(w, http.StatusOK, out)
}

// decodeAccountPatch reads an account patch (a create body, a PATCH body, or one bulk
// item). Fields left out stay as they are; "icp_fit": null clears the fit.
func decodeAccountPatch(o object) (account.AccountPatch, error) {
	var p account.AccountPatch
	if err := o.rejectNulls("icp_fit"); err != nil {
		return p, err
	}
	if err := o.checkTime("mrr_effective_at"); err != nil {
		return p, err
	}
	if err := o.decode(&p); err != nil {
		return p, err
	}
	if o.isNull("icp_fit") {
		var clear *int
		p.ICPFit = &clear
	}
	// An account's currency is fixed by its first MRR movement; on its own it would
	// be a field that silently does nothing.
	if p.Currency != nil && p.MRR == nil {
		return p, router.FieldErr("currency", "is the currency of mrr: send it together with mrr")
	}
	if p.MRRAt != nil && p.MRR == nil {
		return p, router.FieldErr("mrr_effective_at", "is when mrr takes effect: send it together with mrr")
	}
	if p.OwnerEmail != nil && p.OwnerID != nil {
		return p, router.FieldErr("owner_email", "cannot be combined with owner_id: name the owner one way")
	}
	return p, nil
}

func (a *API) createAccount(w http.ResponseWriter, r *http.Request) error {
	p, err := readObject(w, r, decodeAccountPatch)
	if err != nil {
		return err
	}
	row, err := a.Store.CreateAccountFromPatch(r.Context(), p)
	if err != nil {
		return err
	}
	return created(w, "/api/v1/accounts/"+row.ID, row)
}

func (a *API) patchAccount(w http.ResponseWriter, r *http.Request) error {
	p, err := readObject(w, r, decodeAccountPatch)
	if err != nil {
		return err
	}
	row, err := a.Store.PatchAccount(r.Context(), r.PathValue("id"), p)
	return found(w, "account", row, err)
}

// decodeBulkItems reads {"<key>": [item, ...]}, decoding each item with decode and
// reporting a bad one by its 1-based position and field, the way the store reports a
// refused item.
func decodeBulkItems[T any](b []byte, key string, decode func(object) (T, error)) ([]T, error) {
	items, err := decodeBulk(b, key)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(items))
	for i, it := range items {
		o, err := parseObject(it)
		if err == nil {
			out[i], err = decode(o)
		}
		if err != nil {
			return nil, itemErr(i, err)
		}
	}
	return out, nil
}

// decodeBulk returns the raw items of a bulk body {"<key>": [...]}.
func decodeBulk(b []byte, key string) ([]json.RawMessage, error) {
	o, err := parseObject(b)
	if err != nil {
		return nil, err
	}
	for k := range o.fields {
		if k != key {
			return nil, router.FieldErr(k, fmt.Sprintf("is not a known field (the batch goes in %q)", key))
		}
	}
	if !o.has(key) || o.isNull(key) {
		return nil, router.FieldErr(key, "is required: send {\""+key+"\": [...]}")
	}
	var items []json.RawMessage
	if err := strictDecode(o.fields[key], &items); err != nil {
		var e *router.Error
		if errors.As(err, &e) && e.Field == "" && e.Status == http.StatusBadRequest {
			return nil, router.FieldErr(key, "must be an array of objects")
		}
		return nil, err
	}
	if len(items) > maxBulk {
		return nil, router.FieldErr(key, fmt.Sprintf("holds %d items; send at most %d per call", len(items), maxBulk))
	}
	return items, nil
}

// itemErr prefixes a decoding error with the item's 1-based position.
func itemErr(i int, err error) error {
	e := router.Classify(err)
	// "body must be a JSON object" reads "item 3: must be a JSON object".
	msg := strings.TrimPrefix(e.Msg, "body ")
	return &router.Error{Status: e.Status, Field: e.Field, Msg: fmt.Sprintf("item %d: %s", i+1, msg), Err: e.Err}
}

// notFound names what was not found.
func notFound(err error, what string) error {
	if errors.Is(err, store.ErrNotFound) {
		return router.NotFound(what)
	}
	return err
}
