package router_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/loop"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/taxonomy"
)

// The router maps only errs kinds and imports no domain package; this test (which
// may import them) checks that the errors the domain packages really return land on
// the status, field and message the API has always answered with.
func TestClassifyDomainErrors(t *testing.T) {
	var acc account.Account
	acc.Normalize([]string{"standard"})
	var capture feedback.Capture
	capture.Normalize(time.Now())
	_, treeErr := taxonomy.NewTree([]taxonomy.Tag{{ID: "a", Name: "A"}, {ID: "b", Name: "a"}})
	var smtp notify.SMTPSettings
	st := revenue.State{MRR: 100, Currency: "USD", HadRevenue: true, LastMovement: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	_, _, mismatch := revenue.SetMRR(st, 200, "EUR", time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	_, negative := revenue.Apply(st, revenue.Movement{Kind: revenue.Contraction, Delta: -500, Currency: "USD", EffectiveAt: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)})

	cases := []struct {
		name   string
		err    error
		status int
		field  string
		msg    string
	}{
		{"account rule", acc.Validate([]string{"standard"}), 400, "name", "name: is required"},
		{"feedback rule", capture.Validate(), 400, "text", "text: is required"},
		{"feedback batch", errs.Item(1, capture.Validate()), 400, "text", "item 2: text: is required"},
		{"taxonomy rule", treeErr, 400, "name", `tag "b": name: a sibling already has this name ("a" clashes with tag "a")`},
		{"notify setting", smtp.Validate(), 400, "host", "host: must be a host name such as smtp.example.com"},
		{"loop template", loop.Template{}.Validate(), 400, "subject", "subject: is required and at most 500 characters"},
		{"currency mismatch", mismatch, 400, "currency", "currency differs from the account's billing currency: account bills in USD, got EUR"},
		{"wrapped sentinel", fmt.Errorf("x: %w", revenue.ErrCurrencyMismatch), 400, "currency", "currency differs from the account's billing currency"},
		{"backdated", revenue.ErrBackdated, 400, "effective_at", "effective date is before the account's latest movement"},
		{"negative set", revenue.ErrNegativeMRR, 400, "mrr", "MRR cannot be negative"},
		{"negative delta", negative, 400, "delta", "MRR cannot be negative"},
		{"bad cursor", store.ErrBadCursor, 400, "cursor", "cursor is not valid for this list"},
		{"bad sort", store.ErrBadSort, 400, "sort", "unknown sort: use name, mrr, renewal, signup or created"},
		{"tag cycle", store.ErrTagCycle, 409, "parent_id", "a tag cannot move under itself or its own descendants"},
		{"merge", store.ErrMerge, 409, "into", "cannot merge: a request can be merged once, not into itself or into a request merged into it"},
		{"last admin", store.ErrLastAdmin, 409, "role", "this is the last admin: make someone else an admin first"},
		{"loop state", store.ErrLoopState, 409, "", "this email has already been queued or sent, or the person cannot be emailed"},
	}
	for _, c := range cases {
		e := router.Classify(c.err)
		if e.Status != c.status || e.Field != c.field || e.Msg != c.msg {
			t.Errorf("%s: Classify(%v) = %d %q %q, want %d %q %q", c.name, c.err, e.Status, e.Field, e.Msg, c.status, c.field, c.msg)
		}
	}
	// The sentinels still tell the rules apart.
	if !errors.Is(mismatch, revenue.ErrCurrencyMismatch) || !errors.Is(treeErr, taxonomy.ErrDuplicateName) {
		t.Error("a rule's sentinel is lost")
	}
}
