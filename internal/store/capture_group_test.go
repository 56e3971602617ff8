package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// TestCaptureGroupItemsFailAlone: captures committed as one group keep every rule of
// a capture on its own: a refused item (after its row was inserted, or before any
// write) undoes only itself under its savepoint; an idempotency key or a (source,
// external id) repeated inside the group returns the item made earlier in the same
// transaction; one new sender in two items becomes one person at the account of their
// domain; each created item has its feedback.created event, and nothing else is left.
func TestCaptureGroupItemsFailAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme := storetest.Account(t, s, account.Account{ExternalID: "acme", Name: "Acme", Domain: "acme.com"})
		billing := storetest.Tag(t, s, store.Tag{Name: "Billing"})
		group := []feedback.Capture{
			0: {Text: "SSO please", Source: feedback.SourceAPI, Email: "new@acme.com", IdempotencyKey: "k1"},
			1: {Text: "tag I do not have", Source: feedback.SourceAPI, Email: "other@acme.com", TagIDs: []string{"nope"}},
			2: {Text: "SSO please (retry)", Source: feedback.SourceAPI, IdempotencyKey: "k1"},
			3: {Text: "unknown account", Source: feedback.SourceAPI, AccountExternalID: "nope"},
			4: {Text: "Dark mode", Source: feedback.SourceAPI, Email: "New@acme.com", TagIDs: []string{billing.ID}},
			5: {Text: "From a mailbox", Source: feedback.SourceEmail, ExternalID: "m-1", Email: "x@gmail.com"},
			6: {Text: "From a mailbox", Source: feedback.SourceEmail, ExternalID: "m-1", Email: "x@gmail.com"},
		}
		items, created, failures, err := s.CaptureGroup(ctx, group)
		if err != nil {
			t.Fatal(err)
		}
		wantCreated := []bool{true, false, false, false, true, true, false}
		wantErrField := []string{"", "tag_ids", "", "account_external_id", "", "", ""}
		for i := range group {
			var fe *errs.FieldError
			field := ""
			if errors.As(failures[i], &fe) {
				field = fe.Field
			} else if failures[i] != nil {
				field = "?" + failures[i].Error()
			}
			if created[i] != wantCreated[i] || field != wantErrField[i] {
				t.Errorf("item %d: created %v, error field %q; want %v, %q", i, created[i], field, wantCreated[i], wantErrField[i])
			}
		}
		if items[2].ID != items[0].ID || items[6].ID != items[5].ID {
			t.Errorf("repeats inside the group: %s/%s and %s/%s, want the first items back", items[2].ID, items[0].ID, items[6].ID, items[5].ID)
		}
		if items[0].AccountID != acme.ID || items[4].AccountID != acme.ID || items[0].PersonID == "" || items[4].PersonID != items[0].PersonID {
			t.Errorf("senders: %+v / %+v, want one new person at Acme", items[0], items[4])
		}
		if items[4].Status != feedback.Triaged || len(items[4].TagIDs) != 1 {
			t.Errorf("tagged at capture: %+v", items[4])
		}
		if n, _ := s.CountFeedback(ctx, ""); n != 3 {
			t.Errorf("%d items stored, want 3 (items 0, 4 and 5)", n)
		}
		if _, err := s.GetPersonByEmail(ctx, "other@acme.com"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the refused item's sender: %v, want rolled back with it", err)
		}
		evs, err := s.Events(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var subjects []string
		for _, e := range evs {
			if e.Kind == store.EventFeedbackCreated {
				subjects = append(subjects, e.Subject)
			}
		}
		if len(subjects) != 3 || subjects[0] != items[0].ID || subjects[1] != items[4].ID || subjects[2] != items[5].ID {
			t.Errorf("feedback.created events for %v, want %s %s %s", subjects, items[0].ID, items[4].ID, items[5].ID)
		}
		// The single path goes through the committer and still de-duplicates.
		again, c, err := s.Capture(ctx, feedback.Capture{Text: "SSO please", Source: feedback.SourceAPI, IdempotencyKey: "k1"})
		if err != nil || c || again.ID != items[0].ID {
			t.Errorf("Capture with the group's key: %+v %v %v", again, c, err)
		}
	})
}
