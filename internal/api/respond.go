package api

import (
	"context"
	"net/http"

	"github.com/closeloop/closeloop/internal/router"
)

// found answers a read or update of one resource: v as JSON, or a 404 naming what
// when the store found nothing, so every "get one" handler says it the same way.
func found(w http.ResponseWriter, what string, v any, err error) error {
	if err != nil {
		return notFound(err, what)
	}
	return writeJSON(w, http.StatusOK, v)
}

// deleted answers a delete: 204, or a 404 naming what.
func deleted(w http.ResponseWriter, what string, err error) error {
	if err != nil {
		return notFound(err, what)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// created answers a create: 201 with the new resource and its Location.
func created(w http.ResponseWriter, location string, v any) error {
	w.Header().Set("Location", location)
	return writeJSON(w, http.StatusCreated, v)
}

// getOne is the handler of a "get one" route: what get finds by the path value param,
// or a 404 naming what.
func getOne[T any](what, param string, get func(context.Context, string) (T, error)) router.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := get(r.Context(), r.PathValue(param))
		return found(w, what, v, err)
	}
}

// deleteOne is the handler of a DELETE of one resource by its path value "id": 204,
// or a 404 naming what.
func deleteOne(what string, del func(context.Context, string) error) router.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		return deleted(w, what, del(r.Context(), r.PathValue("id")))
	}
}
