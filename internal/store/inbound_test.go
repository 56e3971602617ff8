package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/sentiment"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// Two closeloop instances on one database share the replay cache: a delivery reserved
// through one Store is a duplicate through the other until it expires (issue 13,
// acceptance "two instances on one PostgreSQL share … the replay cache").
func TestDeliveriesSharedBetweenInstances(t *testing.T) {
	storetest.EachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		dsn := storetest.DSN(t, dialect)
		a := storetest.OpenMigrated(t, dsn)
		b := storetest.OpenDSN(t, dsn)

		now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
		reserve := func(s *store.Store, key string, at time.Time) bool {
			t.Helper()
			ok, err := s.ReserveDelivery(ctx, key, at, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !reserve(a, "intercom:k1", now) {
			t.Fatal("first delivery refused")
		}
		if reserve(b, "intercom:k1", now.Add(time.Minute)) {
			t.Error("the other instance took a delivery the first one has")
		}
		if !reserve(b, "intercom:k2", now) {
			t.Error("another key refused")
		}
		// Released (the capture failed): the vendor's retry is let in anywhere.
		if err := a.ReleaseDelivery(ctx, "intercom:k2"); err != nil {
			t.Fatal(err)
		}
		if !reserve(a, "intercom:k2", now) {
			t.Error("released key still refused")
		}
		// Expired: free again, and the clean-up removes what is past.
		if !reserve(b, "intercom:k1", now.Add(time.Hour)) {
			t.Error("expired key refused")
		}
		n, err := a.DeleteExpiredInbound(ctx, now.Add(3*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("clean-up removed %d rows, want 2", n)
		}
	})
}

// An item whose help desk named an account that does not exist yet waits, is listed
// for admins, and is attached (with its person) once the account appears.
func TestPendingAccountAttachedLater(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		it, created, err := s.Capture(ctx, feedback.Capture{Text: "Please add SSO", Source: feedback.SourceZendesk,
			ExternalID: "35436", Email: "sam@globex.example", Name: "Sam Carter"})
		if err != nil || !created {
			t.Fatalf("capture: %v %v", created, err)
		}
		if err := s.AddPendingAccount(ctx, it.ID, "zendesk", "acct-globex"); err != nil {
			t.Fatal(err)
		}
		if err := s.AddPendingAccount(ctx, it.ID, "zendesk", "acct-globex"); err != nil {
			t.Fatal("adding twice:", err)
		}
		pend, err := s.PendingAccounts(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(pend) != 1 || pend[0].FeedbackID != it.ID || pend[0].AccountExternalID != "acct-globex" || pend[0].Source != "zendesk" {
			t.Fatalf("pending = %+v", pend)
		}
		// No account yet: nothing attached, still pending.
		if n, err := s.AttachPendingAccounts(ctx); err != nil || n != 0 {
			t.Fatalf("attach before the account exists: %d %v", n, err)
		}
		acct := storetest.Account(t, s, account.Account{Name: "Globex", ExternalID: "acct-globex", Tier: "standard"})
		if n, err := s.AttachPendingAccounts(ctx); err != nil || n != 1 {
			t.Fatalf("attach: %d %v", n, err)
		}
		got, err := s.GetFeedback(ctx, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.AccountID != acct.ID {
			t.Errorf("item account %q, want %q", got.AccountID, acct.ID)
		}
		p, err := s.GetPerson(ctx, got.PersonID)
		if err != nil {
			t.Fatal(err)
		}
		if p.AccountID != acct.ID {
			t.Errorf("person account %q, want %q", p.AccountID, acct.ID)
		}
		if pend, _ := s.PendingAccounts(ctx, 10); len(pend) != 0 {
			t.Errorf("still pending: %+v", pend)
		}
	})
}

// A placeholder name is replaced by a real one; a real name is never overwritten.
func TestLearnPersonName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		it, _, err := s.Capture(ctx, feedback.Capture{Text: "hi", Source: feedback.SourceIntercom, ExternalID: "1",
			Email: "lead@acme.example", Name: "Grey Lake from Dublin"})
		if err != nil {
			t.Fatal(err)
		}
		name := func() string {
			p, err := s.GetPerson(ctx, it.PersonID)
			if err != nil {
				t.Fatal(err)
			}
			return p.Name
		}
		if err := s.LearnPersonName(ctx, "lead@acme.example", "", "Ann Real", "Grey Lake from Dublin"); err != nil {
			t.Fatal(err)
		}
		if got := name(); got != "Ann Real" {
			t.Errorf("after the real name: %q", got)
		}
		if err := s.LearnPersonName(ctx, "lead@acme.example", "", "Someone Else", "Grey Lake from Dublin"); err != nil {
			t.Fatal(err)
		}
		if got := name(); got != "Ann Real" {
			t.Errorf("a real name was overwritten: %q", got)
		}
	})
}

// Raw deliveries are kept until they expire and can be read back for a re-parse.
func TestRawDeliveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		it := storetest.Capture(t, s, feedback.Capture{Text: "files 2MB", Source: feedback.SourceIntercom, ExternalID: "9"})
		at := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
		body := []byte("{\"body\":\"files <10MB work\\u0000\"}\x00")
		if err := s.KeepRawDelivery(ctx, it.ID, "intercom", `{"Content-Type":"application/json"}`, body, at, 30*24*time.Hour); err != nil {
			t.Fatal(err)
		}
		got, err := s.RawDeliveriesSince(ctx, at.Add(-time.Hour), "", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || string(got[0].Body) != string(body) || got[0].Source != "intercom" || !got[0].ReceivedAt.Equal(at) {
			t.Fatalf("kept = %+v", got)
		}
		if changed, err := s.UpdateParsedText(ctx, it.ID, "files <10MB work", "files <10MB work"); err != nil || !changed {
			t.Fatalf("update: %v %v", changed, err)
		}
		if changed, _ := s.UpdateParsedText(ctx, it.ID, "files <10MB work", "files <10MB work"); changed {
			t.Error("an unchanged text counted as changed")
		}
		if n, err := s.DeleteExpiredInbound(ctx, at.Add(31*24*time.Hour)); err != nil || n != 1 {
			t.Fatalf("expiry: %d %v", n, err)
		}
	})
}

// A re-parse that changes an item's words labels its sentiment again from the new
// words: a parser that kept only a quoted "thanks, great!" must not leave the item
// positive once the customer's real complaint is read.
func TestReparseRelabelsSentiment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		it := storetest.Capture(t, s, feedback.Capture{Text: "Thanks, this is great! I love it.", Source: feedback.SourceIntercom, ExternalID: "r1"})
		if it.Sentiment == nil || it.Sentiment.Label != sentiment.Positive {
			t.Fatalf("captured sentiment = %+v, want positive", it.Sentiment)
		}
		text := "This is terrible. Export broke again and I hate losing my work."
		if changed, err := s.UpdateParsedText(ctx, it.ID, text, text); err != nil || !changed {
			t.Fatalf("update: %v %v", changed, err)
		}
		got, err := s.GetFeedback(ctx, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := sentiment.Analyze(text)
		if got.Sentiment == nil || got.Sentiment.Label != sentiment.Negative || got.Sentiment.Score != want.Score {
			t.Fatalf("after re-parse sentiment = %+v, want %+v", got.Sentiment, want)
		}
	})
}
