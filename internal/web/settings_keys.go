package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/router"
)

type keyForm struct {
	Name   string
	Scopes map[auth.Scope]bool
	Errors map[string]string
}

type keysData struct {
	Keys    []auth.APIKey
	Scopes  []scopeInfo
	Form    keyForm
	Created *auth.APIKey
	Secret  string // shown on the create response only; never stored
	Members map[string]string
}

type scopeInfo struct {
	Scope auth.Scope
	Help  string
}

var scopeHelp = []scopeInfo{
	{auth.ScopeRead, "read accounts, people, revenue and feedback"},
	{auth.ScopeWrite, "create, change and delete through the API"},
	{auth.ScopeIngest, "send product usage events (Segment-compatible)"},
	{auth.ScopeAdmin, "everything, including the team and keys"},
	{auth.ScopeMetrics, "scrape /metrics with Prometheus, nothing else"},
}

// renderKeys: GET /settings/api-keys, the keys and the form for a new one.
func (ui *Web) renderKeys(w http.ResponseWriter, r *http.Request, status int, d keysData) error {
	keys, err := ui.Store.ListAPIKeys(r.Context())
	if err != nil {
		return err
	}
	members, err := ui.Store.ListMembers(r.Context())
	if err != nil {
		return err
	}
	d.Members = map[string]string{}
	for _, m := range members {
		d.Members[m.ID] = displayName(m)
	}
	d.Keys, d.Scopes = keys, scopeHelp
	if d.Form.Scopes == nil {
		d.Form.Scopes = map[auth.Scope]bool{auth.ScopeRead: true}
	}
	return ui.render(w, r, status, "settings_keys", "API keys", "settings", d)
}

func (ui *Web) keyCreate(w http.ResponseWriter, r *http.Request) error {
	if err := readSmallForm(w, r); err != nil {
		return err
	}
	f := keyForm{Name: strings.TrimSpace(r.PostFormValue("name")), Scopes: map[auth.Scope]bool{}, Errors: map[string]string{}}
	var scopes []auth.Scope
	for _, s := range r.PostForm["scope"] {
		parsed, err := auth.ParseScopes(s)
		if err != nil {
			f.Errors["scopes"] = "Unknown scope " + s + "."
			continue
		}
		for _, p := range parsed {
			if !f.Scopes[p] {
				f.Scopes[p] = true
				scopes = append(scopes, p)
			}
		}
	}
	if len(f.Errors) == 0 {
		k, secret, err := ui.Store.CreateAPIKey(r.Context(), f.Name, scopes, router.From(r).Member.ID)
		var fe *errs.FieldError
		switch {
		case err == nil:
			ui.Log.Info("api key created", "key", k.ID, "prefix", k.Prefix, "by", router.From(r).Member.ID)
			// The secret is on this page only: no redirect, and nothing may cache it.
			return ui.renderKeys(w, r, http.StatusCreated, keysData{Created: &k, Secret: secret})
		case errors.As(err, &fe):
			f.Errors[fe.Field] = fieldMsg(fe.Field, fe.Msg)
		default:
			return err
		}
	}
	return ui.renderKeys(w, r, http.StatusUnprocessableEntity, keysData{Form: f})
}

func (ui *Web) keyRevoke(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := ui.Store.RevokeAPIKey(r.Context(), id); err != nil {
		return err
	}
	ui.Log.Info("api key revoked", "key", id, "by", router.From(r).Member.ID)
	ui.setFlash(w, "Key revoked. Requests using it are refused from now on.")
	return seeOther(w, r, "/settings/api-keys")
}
