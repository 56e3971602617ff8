package api

import (
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

func (a *API) listPeople(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "account_id", "q", "cursor", "limit")
	if err != nil {
		return err
	}
	f := store.PersonFilter{AccountID: p.str("account_id"), Q: p.str("q")}
	return pageOf(w, r, p, "people", 50, &f, &f.Limit, &f.After, a.Store.ListPeople)
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
	pp, err := readObject(w, r, decodePersonPatch)
	if err != nil || pp.AccountExternalID == nil {
		return pp, err
	}
	// The bulk upsert resolves account_external_id itself; single writes do it here.
	aid := ""
	if ext := strings.TrimSpace(*pp.AccountExternalID); ext != "" {
		acc, err := refersTo(r.Context(), "account_external_id", "account", ext, a.Store.GetAccountByExternalID)
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
