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

func TestLoopRecipientsAndDrafts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme := account.Account{Name: "Acme", Domain: "acme.com"}
		s.CreateAccount(ctx, &acme)
		mk := func(title string) string {
			r := feedback.Request{Title: title}
			if err := s.CreateRequest(ctx, &r); err != nil {
				t.Fatal(err)
			}
			return r.ID
		}
		sso, saml, okta, other := mk("SSO"), mk("SAML login"), mk("Okta"), mk("Dark mode")
		if err := s.MergeRequest(ctx, okta, saml); err != nil { // okta → saml → sso: two levels deep
			t.Fatal(err)
		}
		if err := s.MergeRequest(ctx, saml, sso); err != nil {
			t.Fatal(err)
		}
		day := func(d int) time.Time { return time.Date(2026, 3, d, 12, 0, 0, 0, time.UTC) }
		capture := func(c feedback.Capture) {
			if _, _, err := s.Capture(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		capture(feedback.Capture{Text: "We need SSO.", Source: feedback.SourceEmail, Email: "ann@acme.com", Name: "Ann Lee", OccurredAt: day(1), RequestIDs: []string{sso}})
		capture(feedback.Capture{Text: "Still waiting for SSO!", Quote: "Still waiting", Source: feedback.SourceCall, Email: "ann@acme.com", OccurredAt: day(5), RequestIDs: []string{saml}})
		capture(feedback.Capture{Text: "Okta please.", Source: feedback.SourceIntercom, Email: "bob@acme.com", Name: "Bob", OccurredAt: day(2), RequestIDs: []string{okta}})
		capture(feedback.Capture{Text: "SSO for the phone team.", Source: feedback.SourceCall, PersonExternalID: "u-42", Name: "No Mail", AccountID: acme.ID, OccurredAt: day(3), RequestIDs: []string{sso}})
		capture(feedback.Capture{Text: "Dark mode!", Source: feedback.SourceWeb, Email: "dan@acme.com", Name: "Dan", RequestIDs: []string{other}})
		cat := account.Person{Email: "cat@acme.com", Name: "Cat", AccountID: acme.ID}
		s.CreatePerson(ctx, &cat)
		ann, _ := s.GetPersonByEmail(ctx, "ann@acme.com")
		for _, pid := range []string{cat.ID, ann.ID} {
			if _, err := s.Vote(ctx, &feedback.Vote{RequestID: sso, PersonID: pid, Source: feedback.VoteTeam}); err != nil {
				t.Fatal(err)
			}
		}
		rs, err := s.LoopRecipients(ctx, sso)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]store.LoopRecipient{}
		for _, r := range rs {
			byName[r.Name] = r
		}
		if len(rs) != 4 || len(byName) != 4 {
			t.Fatalf("recipients: %+v", rs)
		}
		if a := byName["Ann Lee"]; a.Quote != "Still waiting" || a.Channel != "call" || !a.QuotedAt.Equal(day(5)) || !a.Voted || a.AccountID != acme.ID {
			t.Fatalf("ann (most recent of two channels, and a vote): %+v", a)
		}
		if b := byName["Bob"]; b.Quote != "Okta please." || b.Channel != "intercom" || b.Voted {
			t.Fatalf("bob (via a request merged two levels down): %+v", b)
		}
		if c := byName["Cat"]; c.Quote != "" || !c.Voted {
			t.Fatalf("cat (voter): %+v", c)
		}
		if n := byName["No Mail"]; n.Email != "" {
			t.Fatalf("no-mail: %+v", n)
		}
		// Shipping a merged request reaches only its own subtree.
		if sub, _ := s.LoopRecipients(ctx, saml); len(sub) != 2 {
			t.Fatalf("saml subtree: %+v", sub)
		}

		// Drafts: insert, then refresh rules.
		var drafts []store.LoopEmail
		for _, r := range rs {
			st := store.LoopDraft
			if r.Email == "" {
				st = store.LoopSkipped
			}
			drafts = append(drafts, store.LoopEmail{PersonID: r.PersonID, Email: r.Email, Name: r.Name, Subject: "v1", BodyText: "body", Quote: r.Quote, Status: st})
		}
		saved, err := s.SaveLoopDrafts(ctx, sso, drafts)
		if err != nil || len(saved) != 4 || saved[3].Email != "" {
			t.Fatalf("saved: %+v %v", saved, err)
		}
		id := func(name string) string {
			for _, d := range saved {
				if d.Name == name {
					return d.ID
				}
			}
			return ""
		}
		if err := s.SkipLoopEmail(ctx, id("Bob")); err != nil {
			t.Fatal(err)
		}
		if err := s.UnskipLoopEmail(ctx, id("No Mail")); !errors.Is(err, store.ErrLoopState) {
			t.Fatalf("unskip of a person without email: %v", err)
		}
		queued, err := s.QueueLoopEmail(ctx, id("Ann Lee"), func(d store.LoopEmail) ([]byte, error) { return []byte(`{"to":"` + d.Email + `"}`), nil })
		if err != nil || !queued {
			t.Fatalf("queue: %v %v", queued, err)
		}
		// Cat unsubscribes before her draft is sent.
		if err := s.Unsubscribe(ctx, cat.ID, "Cat@Acme.com"); err != nil {
			t.Fatal(err)
		}
		if err := s.Unsubscribe(ctx, cat.ID, "cat@acme.com"); err != nil {
			t.Fatalf("repeat unsubscribe: %v", err)
		}
		if u, _ := s.IsUnsubscribed(ctx, "", "cat@acme.com"); !u {
			t.Fatal("not unsubscribed by email")
		}
		for i := range drafts {
			drafts[i].Subject = "v2"
		}
		saved, _ = s.SaveLoopDrafts(ctx, sso, drafts)
		for _, d := range saved {
			switch d.Name {
			case "Ann Lee":
				if d.Status != store.LoopQueued || d.Subject != "v1" || d.OutboxID == "" {
					t.Fatalf("queued draft changed: %+v", d)
				}
			case "Bob":
				if d.Status != store.LoopSkipped || d.Subject != "v2" {
					t.Fatalf("skipped draft: %+v", d)
				}
			case "Cat":
				if d.Status != store.LoopSkipped || !d.Unsubscribed {
					t.Fatalf("unsubscribed draft: %+v", d)
				}
			}
		}
		if q, err := s.QueueLoopEmail(ctx, id("Cat"), func(store.LoopEmail) ([]byte, error) { return []byte(`{}`), nil }); err != nil || q {
			t.Fatalf("queued an unsubscribed person: %v %v", q, err)
		}
		if err := s.EditLoopEmail(ctx, id("Ann Lee"), "x", "y"); !errors.Is(err, store.ErrLoopState) {
			t.Fatalf("edit of a queued draft: %v", err)
		}
		if err := s.SkipLoopEmail(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("skip unknown: %v", err)
		}
		// The outbox outcome reaches the draft.
		ann2, _ := s.GetLoopEmail(ctx, id("Ann Lee"))
		s.ClaimOutbox(ctx, time.Now(), 10, time.Minute)
		s.FinishOutbox(ctx, store.OutboxResult{ID: ann2.OutboxID, At: time.Now(), OK: true})
		if d, _ := s.GetLoopEmail(ctx, ann2.ID); d.Status != store.LoopSent {
			t.Fatalf("after delivery: %+v", d)
		}
	})
}

func TestInitSettingKeepsTheFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.InitSetting(ctx, "k", "first")
		s.InitSetting(ctx, "k", "second")
		var v string
		if ok, err := s.GetSetting(ctx, "k", &v); !ok || err != nil || v != "first" {
			t.Fatalf("%q %v %v", v, ok, err)
		}
	})
}
