package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

func (a *API) registerPeople(rt *router.Router) {
	rt.API("GET /api/v1/people", auth.ScopeRead, a.listPeople)
	rt.API("POST /api/v1/people", auth.ScopeWrite, a.createPerson)
	rt.API("POST /api/v1/people/bulk", auth.ScopeWrite, a.bulkPeople)
	rt.API("GET /api/v1/people/{id}", auth.ScopeRead, getOne("person", "id", a.Store.GetPerson))
	rt.API("PATCH /api/v1/people/{id}", auth.ScopeWrite, a.patchPerson)
	rt.API("DELETE /api/v1/people/{id}", auth.ScopeWrite, deleteOne("person", a.Store.DeletePerson))
}

func (a *API) listPeople(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "account_id", "q", "cursor", "limit")
	if err != nil {
		return err
	}
	f := store.PersonFilter{AccountID: p.str("account_id"), Q: p.str("q")}
	if f.Limit, f.After, err = p.page(50, "people"); err != nil {
		return err
	}
	items, next, err := a.Store.ListPeople(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(items, encodeCursor("people", next)))
}

// decodePersonPatch reads a person patch: a create or PATCH body, or one bulk item.
func decodePersonPatch(o object) (account.PersonPatch, error) {
	var p account.PersonPatch
	if err := o.rejectNulls(); err != nil {
		return p, err
	}
	if err := o.decode(&p); err != nil {
		return p, err
	}
	if p.AccountID != nil && p.AccountExternalID != nil {
		return p, router.FieldErr("account_external_id", "cannot be combined with account_id: name the account one way")
	}
	return p, nil
}

func (a *API) readPersonPatch(w http.ResponseWriter, r *http.Request) (account.PersonPatch, error) {
	b, err := readBody(w, r, maxBody)
	if err != nil {
		return account.PersonPatch{}, err
	}
	o, err := parseObject(b)
	if err != nil {
		return account.PersonPatch{}, err
	}
	pp, err := decodePersonPatch(o)
	if err != nil || pp.AccountExternalID == nil {
		return pp, err
	}
	// The bulk upsert resolves account_external_id itself; single writes do it here.
	aid := ""
	if ext := strings.TrimSpace(*pp.AccountExternalID); ext != "" {
		acc, err := a.Store.GetAccountByExternalID(r.Context(), ext)
		if errors.Is(err, store.ErrNotFound) {
			return pp, router.FieldErr("account_external_id", fmt.Sprintf("names no account (%q)", ext))
		}
		if err != nil {
			return pp, err
		}
		aid = acc.ID
	}
	pp.AccountID, pp.AccountExternalID = &aid, nil
	return pp, nil
}

func (a *API) createPerson(w http.ResponseWriter, r *http.Request) error {
	pp, err := a.readPersonPatch(w, r)
	if err != nil {
		return err
	}
	var p account.Person
	pp.ApplyTo(&p)
	if err := a.Store.CreatePerson(r.Context(), &p); err != nil {
		return err
	}
	return created(w, "/api/v1/people/"+p.ID, p)
}

func (a *API) patchPerson(w http.ResponseWriter, r *http.Request) error {
	pp, err := a.readPersonPatch(w, r)
	if err != nil {
		return err
	}
	p, err := a.Store.GetPerson(r.Context(), r.PathValue("id"))
	if err != nil {
		return notFound(err, "person")
	}
	pp.ApplyTo(&p)
	if err := a.Store.UpdatePerson(r.Context(), &p); err != nil {
		return notFound(err, "person")
	}
	return writeJSON(w, http.StatusOK, p)
}

func (a *API) bulkPeople(w http.ResponseWriter, r *http.Request) error {
	b, err := readBody(w, r, maxBulkBody)
	if err != nil {
		return err
	}
	patches, err := decodeBulkItems(b, "people", decodePersonPatch)
	if err != nil {
		return err
	}
	res, err := a.Store.UpsertPeople(r.Context(), patches)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}
