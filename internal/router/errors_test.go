package router

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/store"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		err    error
		status int
		field  string
	}{
		{&account.FieldError{Field: "name", Msg: "is required"}, 400, "name"},
		{fmt.Errorf("wrapped: %w", &account.FieldError{Field: "tier", Msg: "bad"}), 400, "tier"},
		{&account.RowError{Index: 2, Field: "mrr", Msg: "x"}, 400, "mrr"},
		{&feedback.BatchError{Index: 0, Err: &feedback.FieldError{Field: "text", Msg: "is required"}}, 400, "text"},
		{store.ErrNotFound, 404, ""},
		{store.ErrBadCursor, 400, "cursor"},
		{store.ErrTagCycle, 409, "parent_id"},
		{store.ErrLastAdmin, 409, "role"},
		{fmt.Errorf("x: %w", revenue.ErrCurrencyMismatch), 400, "currency"},
		{revenue.ErrBackdated, 400, "effective_at"},
		{Errorf(http.StatusTeapot, "short and stout"), 418, ""},
		{errors.New("disk on fire"), 500, ""},
	}
	for _, c := range cases {
		e := Classify(c.err)
		if e.Status != c.status || e.Field != c.field {
			t.Errorf("Classify(%v) = %d %q, want %d %q", c.err, e.Status, e.Field, c.status, c.field)
		}
	}
	// A 500 never shows the internal error to the caller.
	if e := Classify(errors.New("password=hunter2")); e.Msg != "internal error" {
		t.Errorf("500 message leaks: %q", e.Msg)
	}
	if e := Classify(&feedback.BatchError{Index: 4, Err: &feedback.FieldError{Field: "kind", Msg: "bad"}}); e.Msg != "item 5: kind: bad" {
		t.Errorf("batch message %q", e.Msg)
	}
}
