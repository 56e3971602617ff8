package router

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/taxonomy"
)

// Error is an error with an HTTP status and a message safe to show. Field names the
// input at fault, when one is.
type Error struct {
	Status int
	Msg    string
	Field  string
	Err    error // the full error, logged, never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

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

// Classify maps any error to an *Error: domain validation errors become 400s naming the
// field, store.ErrNotFound a 404, anything unknown a 500 whose detail is only logged.
func Classify(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	// Before field errors: a batch error wraps one, and the item number must survive.
	var be *feedback.BatchError
	if errors.As(err, &be) {
		inner := Classify(be.Err)
		return &Error{Status: inner.Status, Field: inner.Field, Msg: fmt.Sprintf("item %d: %s", be.Index+1, inner.Msg), Err: err}
	}
	var fe *account.FieldError
	if errors.As(err, &fe) {
		return &Error{Status: http.StatusBadRequest, Field: fe.Field, Msg: fe.Error(), Err: err}
	}
	var re *account.RowError
	if errors.As(err, &re) {
		return &Error{Status: http.StatusBadRequest, Field: re.Field, Msg: fmt.Sprintf("item %d: %s", re.Index+1, re.Error()), Err: err}
	}
	var te *taxonomy.RuleError
	if errors.As(err, &te) {
		return &Error{Status: http.StatusBadRequest, Field: te.Field, Msg: te.Error(), Err: err}
	}
	switch {
	case errors.Is(err, store.ErrTagCycle):
		return &Error{Status: http.StatusConflict, Field: "parent_id", Msg: err.Error(), Err: err}
	case errors.Is(err, store.ErrMerge):
		return &Error{Status: http.StatusConflict, Field: "into", Msg: err.Error(), Err: err}
	case errors.Is(err, store.ErrLastAdmin):
		return &Error{Status: http.StatusConflict, Field: "role", Msg: err.Error(), Err: err}
	case errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Msg: "not found", Err: err}
	case errors.Is(err, store.ErrBadCursor):
		return &Error{Status: http.StatusBadRequest, Field: "cursor", Msg: "cursor is not valid for this list", Err: err}
	case errors.Is(err, store.ErrBadSort):
		return &Error{Status: http.StatusBadRequest, Field: "sort", Msg: err.Error(), Err: err}
	}
	if f := revenue.Field(err, "mrr"); f != "" {
		return &Error{Status: http.StatusBadRequest, Field: f, Msg: err.Error(), Err: err}
	}
	return &Error{Status: http.StatusInternalServerError, Msg: "internal error", Err: err}
}
