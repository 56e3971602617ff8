package api

import (
	_ "embed"
	"net/http"
)

// openapiJSON is the hand-maintained OpenAPI 3.1 description. A test checks that it
// lists exactly the registered routes with their scopes, so it cannot drift silently.
//
//go:embed openapi.json
var openapiJSON []byte

func (a *API) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err := w.Write(openapiJSON)
	return err
}
