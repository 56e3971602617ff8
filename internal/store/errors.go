package store

import "github.com/closeloop/closeloop/internal/errs"

// errNotFound is what the store returns for a missing record: an *errs.NotFoundError,
// so the router answers 404, that wraps ErrNotFound, so errors.Is(err,
// store.ErrNotFound) holds as before. (ErrNotFound itself, in store.go, is kept as the
// sentinel callers test for.)
var errNotFound error = &errs.NotFoundError{Err: ErrNotFound}
