package store_test

import (
	"context"
	"testing"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// A sender first known only by an external id (a Slack author whose email lookup
// failed) gets the email, and the account of its domain, when a later capture brings
// it; an email someone else already has is not taken from them.
func TestCaptureLearnsEmailOfPersonKnownByExternalID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme := storetest.Account(t, s, account.Account{Name: "Acme", Domain: "acme.com"})
		first := storetest.Capture(t, s, feedback.Capture{Text: "one", Source: feedback.SourceSlack, PersonExternalID: "U1"})
		if first.AccountID != "" {
			t.Fatalf("no email yet, yet account %q", first.AccountID)
		}
		second := storetest.Capture(t, s, feedback.Capture{Text: "two", Source: feedback.SourceSlack, PersonExternalID: "U1", Email: "ann@acme.com"})
		if second.PersonID != first.PersonID || second.AccountID != acme.ID {
			t.Fatalf("second capture: person %q (want %q), account %q (want %q)", second.PersonID, first.PersonID, second.AccountID, acme.ID)
		}
		p, err := s.GetPerson(ctx, first.PersonID)
		if err != nil || p.Email != "ann@acme.com" || p.AccountID != acme.ID {
			t.Fatalf("person %+v, %v", p, err)
		}
		// Someone else already has bob@acme.com: U2 does not take it.
		bob := account.Person{Email: "bob@acme.com", AccountID: acme.ID}
		storetest.Must(t, s.CreatePerson(ctx, &bob))
		u2 := storetest.Capture(t, s, feedback.Capture{Text: "three", Source: feedback.SourceSlack, PersonExternalID: "U2"})
		storetest.Capture(t, s, feedback.Capture{Text: "four", Source: feedback.SourceSlack, PersonExternalID: "U2", Email: "bob@acme.com"})
		if p, _ := s.GetPerson(ctx, u2.PersonID); p.Email != "" {
			t.Fatalf("U2 took bob's email: %+v", p)
		}
	})
}
