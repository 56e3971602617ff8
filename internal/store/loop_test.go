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
		acme := storetest.Account(t, s, account.Account{Name: "Acme", Domain: "acme.com"})
		mk := func(title string) string {
			r := storetest.Request(t, s, feedback.Request{Title: title})
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
		storetest.Must(t, s.CreatePerson(ctx, &cat))
		ann, err := s.GetPersonByEmail(ctx, "ann@acme.com")
		if err != nil {
			t.Fatal(err)
		}
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
		saved, err = s.SaveLoopDrafts(ctx, sso, drafts)
		if err != nil {
			t.Fatal(err)
		}
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
		ann2, err := s.GetLoopEmail(ctx, id("Ann Lee"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ClaimOutbox(ctx, time.Now(), 10, time.Minute); err != nil {
			t.Fatal(err)
		}
		storetest.Must(t, s.FinishOutbox(ctx, store.OutboxResult{ID: ann2.OutboxID, At: time.Now(), OK: true}))
		if d, _ := s.GetLoopEmail(ctx, ann2.ID); d.Status != store.LoopSent {
			t.Fatalf("after delivery: %+v", d)
		}
	})
}

func TestInitSettingKeepsTheFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		storetest.Must(t, s.InitSetting(ctx, "k", "first"))
		storetest.Must(t, s.InitSetting(ctx, "k", "second"))
		var v string
		if ok, err := s.GetSetting(ctx, "k", &v); !ok || err != nil || v != "first" {
			t.Fatalf("%q %v %v", v, ok, err)
		}
	})
}

// TestLoopEditSurvivesRefresh: a draft rewritten by hand keeps its text when the
// drafts are prepared again (each visit of the page does), even with a new template,
// but not when the person's address changed.
func TestLoopEditSurvivesRefresh(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		r := storetest.Request(t, s, feedback.Request{Title: "Dark mode"})
		for _, email := range []string{"ann@acme.com", "bob@acme.com"} {
			storetest.Capture(t, s, feedback.Capture{Text: "Dark mode please", Source: feedback.SourceEmail, Email: email, RequestIDs: []string{r.ID}})
		}
		rs, err := s.LoopRecipients(ctx, r.ID)
		if err != nil || len(rs) != 2 {
			t.Fatalf("recipients %+v %v", rs, err)
		}
		prepare := func(version string) map[string]store.LoopEmail {
			t.Helper()
			var ds []store.LoopEmail
			for _, rc := range rs {
				ds = append(ds, store.LoopEmail{PersonID: rc.PersonID, Email: rc.Email, Subject: "subject " + version, BodyText: "body " + version, Status: store.LoopDraft})
			}
			saved, err := s.SaveLoopDrafts(ctx, r.ID, ds)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]store.LoopEmail{}
			for _, d := range saved {
				out[d.Email] = d
			}
			return out
		}
		ds := prepare("v1")
		if err := s.EditLoopEmail(ctx, ds["ann@acme.com"].ID, "Ann, it is live", "Written by hand"); err != nil {
			t.Fatal(err)
		}
		ds = prepare("v2")
		if a := ds["ann@acme.com"]; a.Subject != "Ann, it is live" || a.BodyText != "Written by hand" || !a.Edited {
			t.Fatalf("the edit was overwritten: %+v", a)
		}
		if b := ds["bob@acme.com"]; b.Subject != "subject v2" || b.BodyText != "body v2" || b.Edited {
			t.Fatalf("an unedited draft was not refreshed: %+v", b)
		}
		// Skipping and unskipping an edited draft keeps the edit too.
		storetest.Must(t, s.SkipLoopEmail(ctx, ds["ann@acme.com"].ID))
		storetest.Must(t, s.UnskipLoopEmail(ctx, ds["ann@acme.com"].ID))
		if a := prepare("v3")["ann@acme.com"]; a.BodyText != "Written by hand" || a.Status != store.LoopDraft {
			t.Fatalf("after skip and unskip: %+v", a)
		}
		// A new address: the edit was for the old one, the template takes over.
		rs[0].Email, rs[1].Email = "ann@new.example.com", "bob@new.example.com"
		for _, d := range prepare("v4") {
			if d.Edited || d.BodyText != "body v4" {
				t.Fatalf("after an address change: %+v", d)
			}
		}
	})
}
