package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/store"
)

// bodyKey holds a body Authenticate already read (to find its writeKey).
type bodyKey struct{}

// Authenticate wraps the API's bearer-key lookup for the router: under /v1/ a key is
// also taken the way Segment clients send it, as the basic-auth user (empty password),
// or as writeKey in the body. Reading the body for that happens here, before the
// route's scope check, so it is bounded like the handler's read and handed on in the
// request's context instead of being read twice. Everywhere else only bearer keys
// count, so basic auth opens nothing outside ingestion.
func (sv *Service) Authenticate(bearer func(*http.Request) (*auth.APIKey, error)) func(*http.Request) (*auth.APIKey, error) {
	return func(r *http.Request) (*auth.APIKey, error) {
		if !strings.HasPrefix(r.URL.Path, "/v1/") {
			return bearer(r)
		}
		if user, _, ok := r.BasicAuth(); ok {
			return sv.lookup(r.Context(), user)
		}
		if r.Header.Get("Authorization") != "" {
			return bearer(r)
		}
		if r.Method != http.MethodPost || !jsonContentType(r.Header.Get("Content-Type")) {
			return nil, nil
		}
		if !sv.admit(r.Context()) {
			// Busy, and the key is in a body not read yet: refused before any handler
			// runs, with the same answer and Retry-After as the handler's.
			return nil, sv.busyErr()
		}
		defer sv.release()
		body, err := readBody(r, MaxBatchBytes)
		if err != nil {
			return nil, nil
		}
		*r = *r.WithContext(context.WithValue(r.Context(), bodyKey{}, body))
		var env struct {
			WriteKey string `json:"writeKey"`
		}
		if json.Unmarshal(body, &env) != nil || env.WriteKey == "" {
			return nil, nil
		}
		return sv.lookup(r.Context(), env.WriteKey)
	}
}

func (sv *Service) lookup(ctx context.Context, key string) (*auth.APIKey, error) {
	k, err := sv.store.AuthenticateAPIKey(ctx, strings.TrimSpace(key))
	if errors.Is(err, store.ErrBadKey) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &k, nil
}
