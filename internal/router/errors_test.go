package router

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/closeloop/closeloop/internal/errs"
)

func TestClassify(t *testing.T) {
	// Stand-ins for the domain packages' errors, built the way they build them (the
	// router may not import them): a revenue rule is a sentence about a field, a store
	// refusal a conflict naming the field to change.
	currencyMismatch := errs.About("currency", errors.New("currency differs from the account's billing currency"))
	backdated := errs.About("effective_at", errors.New("effective date is before the account's latest movement"))
	badCursor := errs.About("cursor", errors.New("cursor is not valid for this list"))
	tagCycle := errs.Conflict("parent_id", "a tag cannot move under itself or its own descendants")
	lastAdmin := errs.Conflict("role", "this is the last admin: make someone else an admin first")
	notFound := &errs.NotFoundError{Err: errors.New("not found")}
	cases := []struct {
		err    error
		status int
		field  string
		msg    string
	}{
		{errs.Invalid("name", "is required"), 400, "name", "name: is required"},
		{fmt.Errorf("wrapped: %w", errs.Invalid("tier", "bad")), 400, "tier", "tier: bad"},
		{errs.Item(2, errs.Invalid("mrr", "x")), 400, "mrr", "item 3: mrr: x"},
		{errs.Item(0, errs.Invalid("text", "is required")), 400, "text", "item 1: text: is required"},
		{notFound, 404, "", "not found"},
		{fmt.Errorf("store: get account: %w", notFound), 404, "", "not found"},
		{errs.NotFound("request"), 404, "", "request not found"},
		{badCursor, 400, "cursor", "cursor is not valid for this list"},
		{tagCycle, 409, "parent_id", "a tag cannot move under itself or its own descendants"},
		{lastAdmin, 409, "role", "this is the last admin: make someone else an admin first"},
		{errs.Conflict("", "already queued"), 409, "", "already queued"},
		{fmt.Errorf("x: %w", currencyMismatch), 400, "currency", "currency differs from the account's billing currency"},
		{errs.About("currency", fmt.Errorf("%w: account bills in USD, got EUR", currencyMismatch)), 400, "currency",
			"currency differs from the account's billing currency: account bills in USD, got EUR"},
		{backdated, 400, "effective_at", "effective date is before the account's latest movement"},
		{errs.Item(1, tagCycle), 409, "parent_id", "item 2: a tag cannot move under itself or its own descendants"},
		{Errorf(http.StatusTeapot, "short and stout"), 418, "", "short and stout"},
		{errors.New("disk on fire"), 500, "", "internal error"},
		{errs.Item(3, errors.New("disk on fire")), 500, "", "item 4: internal error"},
	}
	for _, c := range cases {
		e := Classify(c.err)
		if e.Status != c.status || e.Field != c.field || e.Msg != c.msg {
			t.Errorf("Classify(%v) = %d %q %q, want %d %q %q", c.err, e.Status, e.Field, e.Msg, c.status, c.field, c.msg)
		}
	}
	// A 500 never shows the internal error to the caller.
	if e := Classify(errors.New("password=hunter2")); e.Msg != "internal error" {
		t.Errorf("500 message leaks: %q", e.Msg)
	}
	if e := Classify(errs.Item(4, errs.Invalid("kind", "bad"))); e.Msg != "item 5: kind: bad" {
		t.Errorf("batch message %q", e.Msg)
	}
}
