package router

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/closeloop/closeloop/internal/errs"
)

// Error is an error with an HTTP status and a message safe to show. Field names the
// input at fault, when one is.
type Error struct {
	Status int
	Msg    string
	Field  string
	Err    error // the full error, logged, never shown
	// RetryAfter, in seconds, is sent as the Retry-After header (429 and 503 answers),
	// so a refusal made before any handler runs still tells clients when to come back.
	RetryAfter int
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Failure reports whether e is a failure of the server, to be logged as an error: a
// 5xx, except a handler's deliberate 503 with nothing behind it (a feature that is
// not set up), which is an answer anyone can provoke, not something to look into.
func (e *Error) Failure() bool {
	return e.Status >= 500 && !(e.Status == http.StatusServiceUnavailable && e.Err == nil)
}

// Errorf makes an Error with a formatted message.
func Errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Msg: fmt.Sprintf(format, args...)}
}

// FieldErr is a 400 naming a field.
func FieldErr(field, msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Field: field, Msg: field + " " + msg}
}

// NotFound is a 404.
func NotFound(what string) *Error {
	return &Error{Status: http.StatusNotFound, Msg: what + " not found"}
}

// Classify maps any error to an *Error by its kind (package errs): a *errs.FieldError
// is a 400 naming the field, an *errs.ItemError the answer for the item it wraps with
// its number, an *errs.NotFoundError a 404, an *errs.ConflictError a 409 naming the
// field when it has one; anything else a 500 whose detail is only logged.
func Classify(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	// Before the other kinds: an item error wraps one, and the item number must survive.
	var ie *errs.ItemError
	if errors.As(err, &ie) {
		inner := Classify(ie.Err)
		return &Error{Status: inner.Status, Field: inner.Field, Msg: fmt.Sprintf("item %d: %s", ie.Index+1, inner.Msg), Err: err}
	}
	var fe *errs.FieldError
	if errors.As(err, &fe) {
		return &Error{Status: http.StatusBadRequest, Field: fe.Field, Msg: fe.Error(), Err: err}
	}
	var ce *errs.ConflictError
	if errors.As(err, &ce) {
		return &Error{Status: http.StatusConflict, Field: ce.Field, Msg: ce.Error(), Err: err}
	}
	var nf *errs.NotFoundError
	if errors.As(err, &nf) {
		return &Error{Status: http.StatusNotFound, Msg: nf.Error(), Err: err}
	}
	return &Error{Status: http.StatusInternalServerError, Msg: "internal error", Err: err}
}
