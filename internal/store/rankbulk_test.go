package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// rankFixture is a few accounts, people, tags and requests with tagged, linked and
// voted evidence, for the one-pass rebuild's tests.
type rankFixture struct {
	accounts, emails, people, tags, requests, items []string
}

func newRankFixture(t *testing.T, s *store.Store, now time.Time) *rankFixture {
	t.Helper()
	ctx := context.Background()
	f := &rankFixture{}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range 4 {
		a := account.Account{Name: fmt.Sprintf("A%d", i), Domain: fmt.Sprintf("b%d.com", i), Tier: []string{"strategic", "standard"}[i%2], CAB: i == 0}
		must(s.CreateAccount(ctx, &a))
		_, _, err := s.SetMRR(ctx, a.ID, int64(900*(i+1)), []string{"USD", "EUR"}[i%2], now.AddDate(0, -2, 0), "")
		must(err)
		p := account.Person{Email: fmt.Sprintf("p@b%d.com", i), AccountID: a.ID}
		must(s.CreatePerson(ctx, &p))
		f.accounts, f.emails, f.people = append(f.accounts, a.ID), append(f.emails, p.Email), append(f.people, p.ID)
	}
	var parent string
	for i := range 4 {
		tg := store.Tag{Name: fmt.Sprintf("T%d", i), ParentID: parent}
		must(s.CreateTag(ctx, &tg))
		parent = tg.ID
		r := feedback.Request{Title: fmt.Sprintf("R%d", i)}
		must(s.CreateRequest(ctx, &r))
		f.tags, f.requests = append(f.tags, tg.ID), append(f.requests, r.ID)
	}
	for i := range 12 {
		it, _, err := s.Capture(ctx, feedback.Capture{Text: fmt.Sprintf("item %d", i), Source: feedback.SourceAPI, Email: f.emails[i%4],
			OccurredAt: now.AddDate(0, 0, -11*i), Kind: []feedback.Kind{feedback.Bug, feedback.FeatureRequest}[i%2],
			TagIDs: []string{f.tags[i%4]}, RequestIDs: []string{f.requests[i%3]}})
		must(err)
		f.items = append(f.items, it.ID)
	}
	_, err := s.Vote(ctx, &feedback.Vote{RequestID: f.requests[3], PersonID: f.people[1], Source: feedback.VoteTeam})
	must(err)
	return f
}

// A change made while a rebuild counts is not in its snapshot: it must still be in the
// roll-ups once the rebuild is done, and meanwhile syncs must leave them alone and
// ranking must count from the raw tables.
func TestRebuildKeepsChangesMadeWhileItRuns(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		f := newRankFixture(t, s, clock.Now())
		storetest.Must(t, s.SyncRank(ctx, clock.Now()))
		var during []store.TagRank
		var failed error
		changed := false
		err := s.Rebuild(ctx, "ranking", clock.Now(), func(p store.RebuildProgress) {
			if p.Phase != "counting" || p.Done != p.Total || changed {
				return
			}
			changed = true
			// Counted already; none of these is in the rebuild's snapshot.
			steps := []func() error{
				func() error { return s.TagFeedback(ctx, f.items[1], f.tags[3], "") },
				func() error { return s.UntagFeedback(ctx, f.items[2], f.tags[2]) },
				func() error { return s.LinkFeedback(ctx, f.requests[3], f.items[0], "") },
				func() error {
					_, err := s.Vote(ctx, &feedback.Vote{RequestID: f.requests[0], PersonID: f.people[2], Source: feedback.VoteTeam})
					return err
				},
				func() error {
					_, _, err := s.SetMRR(ctx, f.accounts[1], 5000, "EUR", clock.Now().Add(-time.Hour), "")
					return err
				},
				func() error {
					_, _, err := s.Capture(ctx, feedback.Capture{Text: "late", Source: feedback.SourceAPI, Email: f.emails[3], OccurredAt: clock.Now(), TagIDs: []string{f.tags[0]}})
					return err
				},
				func() error { return s.SyncRank(ctx, clock.Now()) }, // must not touch the roll-ups now
				func() error {
					var err error
					during, err = s.RankTags(ctx, store.RankFilter{}, clock.Now())
					return err
				},
			}
			for _, step := range steps {
				if failed = step(); failed != nil {
					return
				}
			}
		})
		if err != nil || failed != nil {
			t.Fatalf("rebuild: %v; change during it: %v", err, failed)
		}
		if !changed {
			t.Fatal("the progress callback never saw the end of counting: the test exercised nothing")
		}
		after, err := s.RankTags(ctx, store.RankFilter{}, clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(during, after) {
			t.Fatalf("ranking during the rebuild (from the raw tables) differs from after it:\nduring %+v\nafter  %+v", during, after)
		}
		rollupsMatchRaw(t, s, clock.Now(), "differ from the evidence after changes during a rebuild")
		if diff, err := s.DerivedDiff(ctx, "ranking", clock.Now()); err != nil || diff != "" {
			t.Fatalf("after changes during a rebuild: diff %q, err %v", diff, err)
		}
	})
}

// A rebuild that died after deleting the marks leaves its gate behind: once its lease
// has run out, the next sync marks everything and the roll-ups are whole again.
func TestAbandonedRebuildIsRecovered(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		f := newRankFixture(t, s, clock.Now())
		storetest.Must(t, s.SyncRank(ctx, clock.Now()))
		if err := s.TagFeedback(ctx, f.items[5], f.tags[3], ""); err != nil {
			t.Fatal(err)
		}
		if err := s.AbandonRebuild(ctx, "ranking"); err != nil {
			t.Fatal(err)
		}
		if err := s.SyncRank(ctx, clock.Now()); err != nil {
			t.Fatal(err)
		}
		rollupsMatchRaw(t, s, clock.Now(), "after an abandoned rebuild")
		if diff, err := s.DerivedDiff(ctx, "ranking", clock.Now()); err != nil || diff != "" {
			t.Fatalf("after an abandoned rebuild: diff %q, err %v", diff, err)
		}
	})
}
