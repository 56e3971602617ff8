package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

func TestResolvePersonForPortal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme := account.Account{ExternalID: "acct-acme", Name: "Acme", Domain: "acme.com"}
		globex := account.Account{ExternalID: "acct-globex", Name: "Globex", Domain: "globex.com"}
		for _, a := range []*account.Account{&acme, &globex} {
			storetest.Accounts(t, s, a)
		}
		// The account external id wins over the email's domain.
		p, created, err := s.ResolvePerson(ctx, "Ann@Acme.com", "Ann", "u-1", "acct-globex")
		if err != nil || !created || p.AccountID != globex.ID || p.Email != "ann@acme.com" || p.ExternalID != "u-1" || p.Name != "Ann" {
			t.Fatalf("by account external id: %+v %v %v", p, created, err)
		}
		// Unknown account external id: not an error, falls back to the domain.
		p2, created, err := s.ResolvePerson(ctx, "bob@acme.com", "Bob", "", "acct-unknown")
		if err != nil || !created || p2.AccountID != acme.ID {
			t.Fatalf("domain fallback: %+v %v %v", p2, created, err)
		}
		// Found again by external id (even with a new email), and by email.
		again, created, err := s.ResolvePerson(ctx, "ann.new@acme.com", "Someone Else", "u-1", "")
		if err != nil || created || again.ID != p.ID || again.Name != "Ann" || again.Email != "ann@acme.com" {
			t.Fatalf("by external id: %+v %v %v", again, created, err)
		}
		// Blanks are filled, set fields are kept.
		bob, created, err := s.ResolvePerson(ctx, "bob@acme.com", "Robert", "u-2", "acct-globex")
		if err != nil || created || bob.ID != p2.ID || bob.ExternalID != "u-2" || bob.Name != "Bob" || bob.AccountID != acme.ID {
			t.Fatalf("by email: %+v %v %v", bob, created, err)
		}
		// No account anywhere: a person without one.
		free, _, err := s.ResolvePerson(ctx, "carol@gmail.com", "", "", "")
		if err != nil || free.AccountID != "" || free.ID == "" {
			t.Fatalf("free mail: %+v %v", free, err)
		}
		if _, _, err := s.ResolvePerson(ctx, "not an email", "", "", ""); err == nil {
			t.Fatal("a bad email was accepted")
		}
	})
}

func TestPortalRequestsVotesAndVisibility(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		req := func(title string, status feedback.RequestStatus, public bool) feedback.Request {
			time.Sleep(2 * time.Millisecond) // ids sort by creation millisecond: keep "newest" deterministic
			r := storetest.Request(t, s, feedback.Request{Title: title, Description: "about " + title, Status: status, Public: public})
			return r
		}
		sso := req("SSO login", feedback.Planned, true)
		dark := req("Dark mode", feedback.Open, true)
		secret := req("Secret project", feedback.Planned, false)
		dup := req("Single sign-on", feedback.Open, true)
		person := func(email string) string {
			p, _, err := s.ResolvePerson(ctx, email, "", "", "")
			if err != nil {
				t.Fatal(err)
			}
			return p.ID
		}
		ann, bob, cat := person("ann@x.com"), person("bob@x.com"), person("cat@x.com")
		vote := func(r, p string) {
			if _, err := s.Vote(ctx, &feedback.Vote{RequestID: r, PersonID: p, Source: feedback.VotePortal}); err != nil {
				t.Fatal(err)
			}
		}
		vote(dark.ID, ann)
		vote(dup.ID, ann)
		vote(dup.ID, bob)
		vote(sso.ID, bob) // bob voted for both halves of the merge: counted once
		vote(secret.ID, cat)
		if err := s.MergeRequest(ctx, dup.ID, sso.ID); err != nil {
			t.Fatal(err)
		}

		list, err := s.ListPortalRequests(ctx, store.PortalFilter{PersonID: ann})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != sso.ID || list[0].Votes != 2 || !list[0].Voted || list[1].ID != dark.ID || list[1].Votes != 1 {
			t.Fatalf("by votes: %+v", list)
		}
		list, err = s.ListPortalRequests(ctx, store.PortalFilter{Sort: store.PortalSortNewest, PersonID: cat})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != dark.ID || list[0].Voted || list[1].Voted {
			t.Fatalf("newest: %+v", list)
		}
		list, err = s.ListPortalRequests(ctx, store.PortalFilter{Statuses: []feedback.RequestStatus{feedback.Planned}})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != sso.ID {
			t.Fatalf("planned: %+v", list)
		}
		list, err = s.ListPortalRequests(ctx, store.PortalFilter{Q: "DARK"})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].ID != dark.ID {
			t.Fatalf("search: %+v", list)
		}
		list, err = s.ListPortalRequests(ctx, store.PortalFilter{Q: "100%"})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 0 {
			t.Fatalf("search for a LIKE wildcard matched %d", len(list))
		}

		got, err := s.GetPortalRequest(ctx, dup.ID, ann)
		if err != nil || got.RootID != sso.ID || got.MergedInto != sso.ID {
			t.Fatalf("merged request: %+v %v", got, err)
		}
		if _, err := s.GetPortalRequest(ctx, "nope", ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing request: %v", err)
		}

		// Ann's vote sits on the merged request; unvoting the root removes it.
		if err := s.UnvotePortal(ctx, sso.ID, ann); err != nil {
			t.Fatal(err)
		}
		got, err = s.GetPortalRequest(ctx, sso.ID, ann)
		if err != nil {
			t.Fatal(err)
		}
		if got.Voted || got.Votes != 1 {
			t.Fatalf("after unvote: %+v", got)
		}
		votes, err := s.PersonVotes(ctx, ann)
		if err != nil || len(votes) != 1 || votes[0].RequestID != dark.ID || votes[0].Source != feedback.VotePortal {
			t.Fatalf("ann's votes: %+v %v", votes, err)
		}
	})
}

func TestPutSettingIfAbsent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if ok, err := s.PutSettingIfAbsent(ctx, "k", "first"); err != nil || !ok {
			t.Fatalf("first: %v %v", ok, err)
		}
		if ok, err := s.PutSettingIfAbsent(ctx, "k", "second"); err != nil || ok {
			t.Fatalf("second: %v %v", ok, err)
		}
		var v string
		if _, err := s.GetSetting(ctx, "k", &v); err != nil || v != "first" {
			t.Fatalf("kept %q %v", v, err)
		}
	})
}
