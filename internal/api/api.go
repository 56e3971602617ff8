// Package api is the JSON API under /api/v1, authenticated by bearer API keys.
package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// Deps are what the API needs.
type Deps struct {
	Store  *store.Store
	Config config.Config
	Log    *slog.Logger
}

// API is the JSON API.
type API struct {
	Deps
}

// New builds the API.
func New(d Deps) *API { return &API{Deps: d} }

// Key returns the API key presented as "Authorization: Bearer <key>" (the scheme in
// any case, RFC 9110 §11.1), or nil.
func (a *API) Key(r *http.Request) (*auth.APIKey, error) {
	tok, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok {
		return nil, nil
	}
	k, err := a.Store.AuthenticateAPIKey(r.Context(), strings.TrimSpace(tok))
	if errors.Is(err, store.ErrBadKey) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &k, nil
}

// RenderError writes {"error": …, "field": …}.
func RenderError(w http.ResponseWriter, r *http.Request, e *router.Error) {
	w.Header().Set("Content-Type", "application/json")
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="closeloop"`)
	}
	w.WriteHeader(e.Status)
	body := map[string]string{"error": e.Msg}
	if e.Field != "" {
		body["field"] = e.Field
	}
	json.NewEncoder(w).Encode(body)
}
