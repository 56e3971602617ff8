package web

import (
	"errors"
	"net/http"

	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// page is the GET handler of a page whose render also shows a form sent back: the
// page with nothing typed yet (the zero D).
func page[D any](render func(w http.ResponseWriter, r *http.Request, status int, d D) error) router.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		var blank D
		return render(w, r, http.StatusOK, blank)
	}
}

// optional is what a store lookup found, or nil when there is no such row (a link to
// something deleted since); any other error is returned.
func optional[T any](v T, err error) (*T, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}
