package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/clocktest"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// The ranking roll-ups must always equal a recount from the raw evidence, whatever
// happens in between: this drives hundreds of random changes of every kind that moves
// ranking (tagging, linking, votes, request merges, tag moves and merges, MRR
// movements, churn, renewals, CAB flags, deleted accounts and people, the day moving,
// the renewal window changing) and compares the two after every few.
func TestRankRollupsMatchRawEvidence(t *testing.T) {
	storetest.EachAt(t, time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC), func(t *testing.T, s *store.Store, clock *clocktest.Clock) {
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(7, 11))
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }

		var accounts, people, emails []string
		currencies := []string{"USD", "USD", "EUR", "GBP"}
		tiers := []string{"strategic", "important", "standard"}
		kinds := []feedback.Kind{feedback.FeatureRequest, feedback.Bug, feedback.Praise}
		for i := range 6 {
			a := account.Account{Name: fmt.Sprintf("A%d", i), Domain: fmt.Sprintf("a%d.com", i), CAB: i == 1, Tier: tiers[i%len(tiers)]}
			must(s.CreateAccount(ctx, &a))
			_, _, err := s.SetMRR(ctx, a.ID, int64(1000*(i+1)), currencies[i%len(currencies)], clock.Now().AddDate(0, -3, 0), "")
			must(err)
			accounts = append(accounts, a.ID)
			for j := range 2 {
				p := account.Person{Email: fmt.Sprintf("p%d@a%d.com", j, i), AccountID: a.ID}
				must(s.CreatePerson(ctx, &p))
				people = append(people, p.ID)
				emails = append(emails, p.Email)
			}
		}
		emails = append(emails, "stranger@nowhere.org") // no account
		var tags []string
		for i := range 3 {
			root := store.Tag{Name: fmt.Sprintf("R%d", i)}
			must(s.CreateTag(ctx, &root))
			tags = append(tags, root.ID)
			for j := range 2 {
				mid := store.Tag{Name: fmt.Sprintf("M%d", j), ParentID: root.ID}
				must(s.CreateTag(ctx, &mid))
				leaf := store.Tag{Name: "L", ParentID: mid.ID}
				must(s.CreateTag(ctx, &leaf))
				tags = append(tags, mid.ID, leaf.ID)
			}
		}
		var requests, items []string
		for i := range 6 {
			r := feedback.Request{Title: fmt.Sprintf("Req %d", i)}
			must(s.CreateRequest(ctx, &r))
			requests = append(requests, r.ID)
		}

		check := func(step int) {
			t.Helper()
			roll, raw, err := s.RankBothWays(ctx, clock.Now())
			must(err)
			for k, name := range []string{"requests", "tags"} {
				if !reflect.DeepEqual(clean(roll[k]), clean(raw[k])) {
					t.Fatalf("step %d: %s roll-ups differ from the evidence:\nroll-up %+v\nraw     %+v", step, name, roll[k], raw[k])
				}
			}
			filters := []store.RankFilter{{}} // alone, only with the last N days below
			for _, tier := range tiers {
				filters = append(filters, store.RankFilter{Tier: tier})
			}
			for _, kind := range kinds {
				filters = append(filters, store.RankFilter{Kind: kind})
			}
			for _, f := range append([]store.RankFilter(nil), filters...) {
				for _, days := range []int{30, 90} {
					g := f
					g.LastDays = days
					filters = append(filters, g)
				}
			}
			for _, f := range filters[1:] {
				roll, raw, err := s.RankFilteredBothWays(ctx, f, clock.Now())
				must(err)
				for k, name := range []string{"requests", "tags"} {
					if !reflect.DeepEqual(clean(roll[k]), clean(raw[k])) {
						t.Fatalf("step %d: %s roll-ups for %+v differ from the evidence:\nroll-up %+v\nraw     %+v", step, name, f, roll[k], raw[k])
					}
				}
			}
		}
		// Every few steps the roll-ups must equal both the raw evidence (check) and, row for
		// row, a rebuild from scratch (the generic derivation check).
		store.CheckDerivation(t, s, "ranking", 400, 7, clock.Now, func(step int, _ *rand.Rand) error {
			var err error
			switch op := rng.IntN(20); {
			case op < 5 || len(items) == 0:
				c := feedback.Capture{Text: fmt.Sprintf("item %d", step), Source: feedback.SourceAPI, Email: pick(emails),
					OccurredAt: clock.Now().Add(-time.Duration(rng.IntN(100*24)) * time.Hour), Kind: kinds[rng.IntN(len(kinds))]}
				if rng.IntN(2) == 0 {
					c.TagIDs = []string{pick(tags)}
				}
				if rng.IntN(2) == 0 {
					c.RequestIDs = []string{pick(requests)}
				}
				var it feedback.Item
				it, _, err = s.Capture(ctx, c)
				items = append(items, it.ID)
			case op < 7:
				err = s.TagFeedback(ctx, pick(items), pick(tags), "")
			case op < 8:
				if rng.IntN(2) == 0 {
					err = s.UntagFeedback(ctx, pick(items), pick(tags))
				} else {
					kind := kinds[rng.IntN(len(kinds))]
					err = s.Triage(ctx, pick(items), &kind, nil)
				}
			case op < 10:
				err = s.LinkFeedback(ctx, pick(requests), pick(items), "")
			case op < 11:
				err = s.UnlinkFeedback(ctx, pick(requests), pick(items))
			case op < 12:
				_, err = s.Vote(ctx, &feedback.Vote{RequestID: pick(requests), PersonID: pick(people), Source: feedback.VoteTeam})
			case op < 13:
				err = s.Unvote(ctx, pick(requests), pick(people))
			case op == 13:
				err = s.MergeRequest(ctx, pick(requests), pick(requests))
				if errors.Is(err, store.ErrMerge) {
					err = nil
				}
			case op == 14:
				err = s.UnmergeRequest(ctx, pick(requests))
			case op == 15:
				from, to := pick(tags), pick(tags)
				if rng.IntN(3) == 0 {
					to = ""
				}
				if err = s.MoveTag(ctx, from, to); errors.Is(err, store.ErrTagCycle) {
					err = nil
				}
			case op == 16:
				mrr := int64(rng.IntN(5) * 1500) // 0 churns
				a := pick(accounts)
				cur := map[bool]string{true: "USD", false: "EUR"}[rng.IntN(2) == 0]
				if _, _, err = s.SetMRR(ctx, a, mrr, cur, clock.Now().Add(-time.Hour), ""); err != nil {
					err = nil // a currency differing from the account's is refused: fine here
				}
			case op == 17:
				err = s.SaveContract(ctx, &account.Contract{AccountID: pick(accounts), StartDate: clock.Now().AddDate(-1, 0, rng.IntN(200)).Format("2006-01-02"), TermMonths: 12})
			case op == 18:
				switch rng.IntN(4) {
				case 0:
					clock.AddDate(0, 0, rng.IntN(20)+1) // time passes
				case 1:
					rs, rerr := s.RankSettings(ctx)
					if rerr != nil {
						t.Fatal(rerr)
					}
					rs.RenewalWindowDays = []int{30, 90, 180}[rng.IntN(3)]
					err = s.PutSetting(ctx, "ranking", rs)
				case 2:
					a, gerr := s.GetAccount(ctx, pick(accounts))
					must(gerr)
					a.CAB = !a.CAB
					a.Tier = tiers[rng.IntN(len(tiers))]
					err = s.UpdateAccount(ctx, &a.Account)
				case 3:
					from, into := pick(tags), pick(tags)
					if err = s.MergeTag(ctx, from, into); err == nil {
						tags = remove(tags, from)
					} else {
						err = nil // cycles and self-merges are refused
					}
				}
			case op == 19:
				if rng.IntN(2) == 0 && len(people) > 4 {
					p := pick(people)
					err = s.DeletePerson(ctx, p)
					people = remove(people, p)
				} else if len(accounts) > 3 {
					a := pick(accounts)
					err = s.DeleteAccount(ctx, a)
					accounts = remove(accounts, a)
				}
			}
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				if !errors.As(err, new(*errs.FieldError)) {
					return err
				}
			}
			if step%7 == 0 {
				check(step)
			}
			if step%50 == 49 {
				rebuiltBothWays(t, s, step, clock.Now())
			}
			return nil
		})
		check(-1)
		rebuiltBothWays(t, s, -1, clock.Now())
		// A date range that holds everything ranks the same as no filter (through the
		// date-driven raw query).
		all, err := s.RankTags(ctx, store.RankFilter{}, clock.Now())
		must(err)
		ranged, err := s.RankTags(ctx, store.RankFilter{From: clock.Now().AddDate(-5, 0, 0)}, clock.Now())
		must(err)
		if !reflect.DeepEqual(all, ranged) {
			t.Fatalf("date range holding everything:\n got %+v\nwant %+v", ranged, all)
		}
		// One item from just now: a range starting an hour ago counts only it.
		_, _, err = s.Capture(ctx, feedback.Capture{Text: "fresh", Source: feedback.SourceAPI, Email: emails[0], OccurredAt: clock.Now(), TagIDs: []string{tags[0]}})
		must(err)
		recent, err := s.RankTags(ctx, store.RankFilter{From: clock.Now().Add(-time.Hour)}, clock.Now())
		must(err)
		if len(recent) == 0 {
			t.Fatal("the last hour ranks nothing")
		}
		for _, r := range recent {
			if r.Rank.Total != 1 {
				t.Fatalf("the last hour: %+v", r.Rank)
			}
		}
		roll, _, _ := s.RankBothWays(ctx, clock.Now())
		if len(roll[0]) == 0 || len(roll[1]) == 0 {
			t.Fatal("nothing was counted: the test exercised nothing")
		}
	})
}

// rebuiltBothWays requires the one-pass rebuild to write, row for row, what the marked
// rebuild (reset, mark every unit, drain) writes, the rank_accounts cache included.
func rebuiltBothWays(t *testing.T, s *store.Store, step int, now time.Time) {
	t.Helper()
	if diff, err := s.RebuildBothWays(context.Background(), "ranking", now, "rank_accounts", "rank_state"); err != nil {
		t.Fatalf("step %d: %v", step, err)
	} else if diff != "" {
		t.Fatalf("step %d: the one-pass rebuild differs from the marked one:\n%s", step, diff)
	}
}

// clean drops empty currency entries, which a recount never has.
// rollupsMatchRaw fails the test unless the roll-ups, once synced, give the same
// requests and tags as counting the evidence raw; what says which story this is.
func rollupsMatchRaw(t *testing.T, s *store.Store, now time.Time, what string) {
	t.Helper()
	roll, raw, err := s.RankBothWays(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	for k := range roll {
		if len(raw[k]) == 0 || !reflect.DeepEqual(clean(roll[k]), clean(raw[k])) {
			t.Fatalf("roll-ups %s:\nroll-up %+v\nraw     %+v", what, roll[k], raw[k])
		}
	}
}

func clean(ts []feedback.Tally) []feedback.Tally {
	out := make([]feedback.Tally, 0, len(ts))
	for _, t := range ts {
		c := t
		c.ByCurrency = map[string]feedback.Contribution{}
		for k, v := range t.ByCurrency {
			if v != (feedback.Contribution{}) {
				c.ByCurrency[k] = v
			}
		}
		out = append(out, c)
	}
	return out
}

func remove(xs []string, x string) []string {
	out := xs[:0:0]
	for _, v := range xs {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}

// Writers and syncs running at once (several connections on PostgreSQL) must not lose
// a change: a unit marked while a sync is recounting it is recounted again.
func TestRankRollupsUnderConcurrentWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		var emails, tags, requests []string
		for i := range 4 {
			a := storetest.Account(t, s, account.Account{Name: fmt.Sprintf("A%d", i), Domain: fmt.Sprintf("c%d.com", i)})
			if _, _, err := s.SetMRR(ctx, a.ID, int64(1000*(i+1)), "USD", now.AddDate(0, -1, 0), ""); err != nil {
				t.Fatal(err)
			}
			emails = append(emails, fmt.Sprintf("p%d@c%d.com", i, i))
		}
		var parent string
		for i := range 6 {
			tg := storetest.Tag(t, s, store.Tag{Name: fmt.Sprintf("T%d", i), ParentID: parent})
			tags = append(tags, tg.ID)
			if i%2 == 0 {
				parent = tg.ID
			}
			r := storetest.Request(t, s, feedback.Request{Title: fmt.Sprintf("R%d", i)})
			requests = append(requests, r.ID)
		}
		done := make(chan error, 6)
		for w := range 4 {
			go func() {
				rng := rand.New(rand.NewPCG(uint64(w), 3))
				var mine []string
				for i := 0; i < 40; i++ {
					var err error
					if len(mine) == 0 || rng.IntN(3) == 0 {
						var it feedback.Item
						it, _, err = s.Capture(ctx, feedback.Capture{Text: fmt.Sprintf("w%d-%d", w, i), Source: feedback.SourceAPI,
							Email: emails[rng.IntN(len(emails))], TagIDs: []string{tags[rng.IntN(len(tags))]}})
						mine = append(mine, it.ID)
					} else if rng.IntN(2) == 0 {
						err = s.TagFeedback(ctx, mine[rng.IntN(len(mine))], tags[rng.IntN(len(tags))], "")
					} else {
						err = s.LinkFeedback(ctx, requests[rng.IntN(len(requests))], mine[rng.IntN(len(mine))], "")
					}
					if err != nil {
						done <- err
						return
					}
				}
				done <- nil
			}()
		}
		for range 2 {
			go func() {
				for i := 0; i < 30; i++ {
					if err := s.SyncRank(ctx, now); err != nil {
						done <- err
						return
					}
				}
				done <- nil
			}()
		}
		for range 6 {
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}
		rollupsMatchRaw(t, s, now, "differ from the evidence after concurrent writes")
	})
}
