package api

import "net/http"

// answer writes v, what a successful call made, as JSON with 200; a failed call's
// error is the answer instead.
func answer(w http.ResponseWriter, v any, err error) error {
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

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

// noContent answers a write with nothing to show: 204, unless it failed.
func noContent(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// created answers a create: 201 with the new resource and its Location.
func created(w http.ResponseWriter, location string, v any) error {
	w.Header().Set("Location", location)
	return writeJSON(w, http.StatusCreated, v)
}
