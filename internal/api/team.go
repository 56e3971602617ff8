package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/router"
)

// member is what the API shows of a team member. It is spelled out rather than
// reusing auth.Member so that a field added there (a hash, a secret) is not
// published by accident.
type member struct {
	ID       string `json:"id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Disabled bool   `json:"disabled"`
	Capacity int    `json:"capacity"`
	Created  string `json:"created_at"`
}

func toMember(m auth.Member) member {
	return member{ID: m.ID, Email: m.Email, Name: m.Name, Role: string(m.Role), Disabled: m.Disabled, Capacity: m.Capacity,
		Created: m.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z07:00")}
}

func (a *API) members(ctx context.Context) ([]member, error) {
	ms, err := a.Store.ListMembers(ctx)
	return mapAll(ms, toMember), err
}

type memberInput struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"` // default member
	Password string `json:"password"`
	Capacity int    `json:"capacity"`
}

func (a *API) createMember(w http.ResponseWriter, r *http.Request) error {
	var in memberInput
	if _, err := decodeBody(w, r, &in); err != nil {
		return err
	}
	if in.Role == "" {
		in.Role = string(auth.RoleMember)
	}
	if !auth.Role(in.Role).Valid() {
		return router.FieldErr("role", "must be viewer, member or admin")
	}
	if strings.TrimSpace(in.Name) == "" {
		return router.FieldErr("name", "is required")
	}
	if in.Capacity < 0 {
		return router.FieldErr("capacity", "cannot be negative")
	}
	// Checked here as well as in HashPassword so the client learns which field to fix.
	if len(in.Password) < 10 {
		return router.FieldErr("password", "must be at least 10 characters")
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return err
	}
	m := auth.Member{Email: in.Email, Name: in.Name, Role: auth.Role(in.Role), PasswordHash: hash, Capacity: in.Capacity}
	if err := a.Store.CreateMember(r.Context(), &m); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toMember(m))
}

type keyInput struct {
	Name   string   `json:"name"`
	Scopes []string `json:"scopes"`
}

// createdKey carries the secret, which is never stored and so shown only here.
type createdKey struct {
	auth.APIKey
	Secret string `json:"secret"`
}

func (a *API) createKey(w http.ResponseWriter, r *http.Request) error {
	var in keyInput
	if _, err := decodeBody(w, r, &in); err != nil {
		return err
	}
	scopes, err := auth.ParseScopes(strings.Join(in.Scopes, ","))
	if err != nil {
		return router.FieldErr("scopes", "must list at least one of read, write, ingest, admin")
	}
	// A key made through the API is attributed to whoever made the calling key.
	by := ""
	if k := router.From(r).Key; k != nil {
		by = k.CreatedBy
	}
	k, secret, err := a.Store.CreateAPIKey(r.Context(), in.Name, scopes, by)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, createdKey{APIKey: k, Secret: secret})
}
