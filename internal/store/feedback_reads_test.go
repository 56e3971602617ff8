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

func TestFeedbackReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if _, err := s.NextUntriaged(ctx, ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("empty inbox: %v", err)
		}
		acme := storetest.Account(t, s, account.Account{Name: "Acme Corp", Domain: "acme.com", Tier: "strategic"})
		if _, _, err := s.SetMRR(ctx, acme.ID, 250000, "USD", time.Now().AddDate(0, -1, 0), ""); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		capture := func(text, email string, daysAgo int) feedback.Item {
			it, _, err := s.Capture(ctx, feedback.Capture{Text: text, Source: feedback.SourceEmail, Email: email, Name: "Pat " + text,
				OccurredAt: now.AddDate(0, 0, -daysAgo)})
			if err != nil {
				t.Fatal(err)
			}
			return it
		}
		newer := capture("newer", "pat@acme.com", 1)
		older := capture("older", "sam@acme.com", 5)

		// Oldest first, whatever the capture order; after skips past one.
		if it, err := s.NextUntriaged(ctx, ""); err != nil || it.ID != older.ID {
			t.Fatalf("next: %v %v", it.ID, err)
		}
		if it, err := s.NextUntriaged(ctx, older.ID); err != nil || it.ID != newer.ID {
			t.Fatalf("after: %v %v", it.ID, err)
		}
		tag := storetest.Tag(t, s, store.Tag{Name: "Billing"})
		if err := s.TagFeedback(ctx, older.ID, tag.ID, ""); err != nil {
			t.Fatal(err)
		}
		if it, _ := s.NextUntriaged(ctx, ""); it.ID != newer.ID {
			t.Fatalf("triaged item still next: %s", it.ID)
		}

		tags, err := s.FeedbackTagIDs(ctx, []string{older.ID, newer.ID})
		if err != nil || len(tags[older.ID]) != 1 || tags[older.ID][0] != tag.ID || len(tags[newer.ID]) != 0 {
			t.Fatalf("tag ids: %v %v", tags, err)
		}
		briefs, err := s.AccountBriefs(ctx, []string{acme.ID, "missing"})
		if err != nil || briefs[acme.ID].Name != "Acme Corp" || briefs[acme.ID].MRR != 250000 || briefs[acme.ID].Tier != "strategic" || len(briefs) != 1 {
			t.Fatalf("briefs: %+v %v", briefs, err)
		}

		// Evidence of a request with one merged into it.
		main := feedback.Request{Title: "Invoices"}
		dup := feedback.Request{Title: "Invoice PDFs"}
		storetest.Must(t, s.CreateRequest(ctx, &main))
		storetest.Must(t, s.CreateRequest(ctx, &dup))
		storetest.Must(t, s.LinkFeedback(ctx, main.ID, older.ID, ""))
		storetest.Must(t, s.LinkFeedback(ctx, dup.ID, newer.ID, ""))
		storetest.Must(t, s.LinkFeedback(ctx, dup.ID, older.ID, "")) // the same item through both
		if err := s.MergeRequest(ctx, dup.ID, main.ID); err != nil {
			t.Fatal(err)
		}
		ev, err := s.RequestEvidence(ctx, main.ID, true)
		if err != nil || len(ev) != 2 || ev[0].FeedbackID != newer.ID || ev[0].AccountName != "Acme Corp" || ev[0].MRR != 250000 || ev[0].PersonName != "Pat newer" {
			t.Fatalf("evidence: %+v %v", ev, err)
		}
		if own, _ := s.RequestEvidence(ctx, main.ID, false); len(own) != 1 || own[0].FeedbackID != older.ID {
			t.Fatalf("own evidence: %+v", own)
		}
		counts, err := s.RequestTagCounts(ctx, main.ID, true)
		if err != nil || len(counts) != 1 || counts[0].TagID != tag.ID || counts[0].Items != 1 {
			t.Fatalf("tag counts: %+v %v", counts, err)
		}

		people, err := s.SearchPeople(ctx, "acme", 10)
		if err != nil || len(people) != 2 || people[0].AccountName != "Acme Corp" {
			t.Fatalf("people by account: %+v %v", people, err)
		}
		people, err = s.SearchPeople(ctx, "sam@", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(people) != 1 || people[0].Email != "sam@acme.com" {
			t.Fatalf("people by email: %+v", people)
		}
		if _, err := s.Vote(ctx, &feedback.Vote{RequestID: dup.ID, PersonID: people[0].ID, Source: feedback.VoteTeam}); err != nil {
			t.Fatal(err)
		}
		votes, err := s.RequestVotes(ctx, main.ID, true)
		if err != nil || len(votes) != 1 || votes[0].PersonName != "Pat older" || votes[0].AccountName != "Acme Corp" || votes[0].RequestID != dup.ID {
			t.Fatalf("votes: %+v %v", votes, err)
		}
		if own, _ := s.RequestVotes(ctx, main.ID, false); len(own) != 0 {
			t.Fatalf("own votes: %+v", own)
		}
	})
}
