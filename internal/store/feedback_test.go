package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
	"github.com/closeloop/closeloop/internal/taxonomy"
)

func TestCaptureResolvesSendersAndIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		acme := storetest.Account(t, s, account.Account{ExternalID: "acme", Name: "Acme", Domain: "acme.com"})
		// Unknown sender at a known domain: a new person attached to Acme.
		it, created, err := s.Capture(ctx, feedback.Capture{Text: "Please add SSO.", Source: feedback.SourceEmail, Email: "New.Person@acme.com", Name: "New Person", ExternalID: "msg-1"})
		if err != nil || !created || it.AccountID != acme.ID || it.PersonID == "" || it.Status != feedback.New || it.Quote != "Please add SSO." {
			t.Fatalf("capture: %+v %v %v", it, created, err)
		}
		p, err := s.GetPersonByEmail(ctx, "new.person@acme.com")
		if err != nil {
			t.Fatal(err)
		}
		if p.ID != it.PersonID || p.AccountID != acme.ID || p.Name != "New Person" {
			t.Fatalf("person: %+v", p)
		}
		// The same (source, external id) again: nothing new.
		again, created, err := s.Capture(ctx, feedback.Capture{Text: "Please add SSO.", Source: feedback.SourceEmail, Email: "new.person@acme.com", ExternalID: "msg-1"})
		if err != nil || created || again.ID != it.ID {
			t.Fatalf("redelivery: %+v %v %v", again, created, err)
		}
		// Idempotency key.
		c := feedback.Capture{Text: "Dark mode", Source: feedback.SourceAPI, IdempotencyKey: "k1", AccountExternalID: "acme"}
		a1, c1, err := s.Capture(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		a2, c2, err := s.Capture(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if !c1 || c2 || a1.ID != a2.ID || a1.AccountID != acme.ID {
			t.Fatalf("idempotency: %v %v %s %s", c1, c2, a1.ID, a2.ID)
		}
		// Unknown domain: a person with no account. Unknown account external id: an error naming the field.
		it3 := storetest.Capture(t, s, feedback.Capture{Text: "hi", Source: feedback.SourceWeb, Email: "x@gmail.com"})
		if it3.AccountID != "" || it3.PersonID == "" {
			t.Fatalf("free-mail sender: %+v", it3)
		}
		var fe *errs.FieldError
		if _, _, err := s.Capture(ctx, feedback.Capture{Text: "x", Source: feedback.SourceAPI, AccountExternalID: "nope"}); !errors.As(err, &fe) || fe.Field != "account_external_id" {
			t.Fatalf("unknown account: %v", err)
		}
		// A batch is all or nothing.
		before, err := s.CountFeedback(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = s.CaptureBatch(ctx, []feedback.Capture{{Text: "ok", Source: feedback.SourceAPI}, {Text: "", Source: feedback.SourceAPI}})
		var be *errs.ItemError
		if !errors.As(err, &be) || be.Index != 1 {
			t.Fatalf("batch: %v", err)
		}
		if after, _ := s.CountFeedback(ctx, ""); after != before {
			t.Fatalf("failed batch wrote %d items", after-before)
		}
	})
}

func TestTagTreeMoveAndMerge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mk := storetest.Tags(t, s)
		editor := mk("Editor", "")
		tables := mk("Tables", editor)
		formulas := mk("Formulas", tables)
		reporting := mk("Reporting", "")
		charts := mk("Charts", reporting)
		if err := s.CreateTag(ctx, &store.Tag{Name: "tables", ParentID: editor}); err == nil {
			t.Fatal("duplicate sibling name accepted")
		}
		if err := s.MoveTag(ctx, editor, formulas); !errors.Is(err, store.ErrTagCycle) {
			t.Fatalf("cycle: %v", err)
		}
		it := storetest.Capture(t, s, feedback.Capture{Text: "formula bug", Source: feedback.SourceAPI, TagIDs: []string{formulas}})
		if it.Status != feedback.Triaged {
			t.Fatalf("tagged at capture should be triaged: %s", it.Status)
		}
		inTag := func(tag string) int {
			items, _, err := s.ListFeedback(ctx, store.FeedbackFilter{TagID: tag})
			if err != nil {
				t.Fatal(err)
			}
			return len(items)
		}
		if inTag(editor) != 1 || inTag(reporting) != 0 {
			t.Fatal("roll-up before move")
		}
		// Move Tables (with Formulas) under Reporting: the item now rolls up there.
		if err := s.MoveTag(ctx, tables, reporting); err != nil {
			t.Fatal(err)
		}
		if inTag(editor) != 0 || inTag(reporting) != 1 || inTag(tables) != 1 {
			t.Fatal("roll-up after move")
		}
		// Merge Formulas into Charts: the item follows, the merge is remembered.
		if err := s.MergeTag(ctx, formulas, charts); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetFeedback(ctx, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.TagIDs) != 1 || got.TagIDs[0] != charts {
			t.Fatalf("after merge tags %v", got.TagIDs)
		}
		merges, err := s.TagMerges(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if merges[formulas] != charts {
			t.Fatalf("merges %v", merges)
		}
		if err := s.MergeTag(ctx, reporting, charts); !errors.Is(err, store.ErrTagCycle) {
			t.Fatalf("merge into own descendant: %v", err)
		}
	})
}

// The ranking scenarios of the voice-of-the-customer issue, through SQL on both
// dialects. Figures are worked by hand in the comments.
func TestRankRequestsScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		acct := func(ext string, mrr int64, cab bool) account.Account {
			a := storetest.Account(t, s, account.Account{ExternalID: ext, Name: ext, Domain: ext + ".com", CAB: cab})
			if _, _, err := s.SetMRR(ctx, a.ID, mrr, "USD", now.AddDate(0, -6, 0), ""); err != nil {
				t.Fatal(err)
			}
			return a
		}
		acct("one", 100000, false)                                                                                                                          // asks through three channels
		a2 := acct("two", 50000, true)                                                                                                                      // CAB member
		a3 := acct("three", 30000, false)                                                                                                                   // will churn
		a4 := acct("four", 20000, false)                                                                                                                    // renews inside the window
		storetest.Must(t, s.SaveContract(ctx, &account.Contract{AccountID: a4.ID, StartDate: now.AddDate(-1, 0, 10).Format("2006-01-02"), TermMonths: 12})) // renews in ~10 days
		if _, _, err := s.SetMRR(ctx, a3.ID, 0, "USD", now.AddDate(0, 0, -1), ""); err != nil {
			t.Fatal(err)
		}
		sso := feedback.Request{Title: "SSO"}
		dup := feedback.Request{Title: "SAML login"}
		storetest.Must(t, s.CreateRequest(ctx, &sso))
		storetest.Must(t, s.CreateRequest(ctx, &dup))
		capture := func(src feedback.Source, email, req string) {
			storetest.Capture(t, s, feedback.Capture{Text: "we need it", Source: src, Email: email, RequestIDs: []string{req}})
		}
		capture(feedback.SourceEmail, "ann@one.com", sso.ID)
		capture(feedback.SourceZendesk, "ann@one.com", sso.ID)
		capture(feedback.SourceSlack, "bob@one.com", dup.ID) // account one again, via the duplicate request
		capture(feedback.SourceCall, "cy@three.com", sso.ID)
		capture(feedback.SourceEmail, "di@four.com", dup.ID)
		pTwo := account.Person{Email: "eve@two.com", AccountID: a2.ID}
		storetest.Must(t, s.CreatePerson(ctx, &pTwo))
		if ok, err := s.Vote(ctx, &feedback.Vote{RequestID: dup.ID, PersonID: pTwo.ID, Source: feedback.VotePortal}); !ok || err != nil {
			t.Fatalf("vote: %v %v", ok, err)
		}
		if ok, _ := s.Vote(ctx, &feedback.Vote{RequestID: dup.ID, PersonID: pTwo.ID, Source: feedback.VoteTeam}); ok {
			t.Fatal("second vote by the same person counted")
		}
		rank := func() map[string]feedback.Rank {
			rs, err := s.RankRequests(ctx, store.RankFilter{}, now)
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]feedback.Rank{}
			for _, r := range rs {
				m[r.ID] = r.Rank
			}
			return m
		}
		// Separate: SSO ← one (email, zendesk: 1 account, 1 person), three (churned $300).
		//   accounts 2, people 2, MRR $1,000, churned $300, at risk 0, weighted 2.
		// SAML ← one (slack, bob), four (renews in ~10 days), two (CAB vote).
		//   accounts 3, people 3, MRR 1000+200+500 = $1,700, at risk $200, CAB 1 → weighted 2+2 = 4.
		r := rank()
		if got := r[sso.ID]; got.Accounts != 2 || got.People != 2 || got.MRR != 100000 || got.ChurnedMRR != 30000 || got.AtRiskMRR != 0 || got.WeightedAccounts != 2 {
			t.Fatalf("SSO before merge: %+v", got)
		}
		if got := r[dup.ID]; got.Accounts != 3 || got.People != 3 || got.MRR != 170000 || got.AtRiskMRR != 20000 || got.CABAccounts != 1 || got.WeightedAccounts != 4 {
			t.Fatalf("SAML before merge: %+v", got)
		}
		// Merge SAML into SSO: account one counted once across both;
		// accounts {one, three, four, two} = 4; people {ann, cy, bob, di, eve} = 5;
		// MRR 1000+200+500 = $1,700; churned $300; at risk $200; weighted 3 + 2 = 5.
		if err := s.MergeRequest(ctx, dup.ID, sso.ID); err != nil {
			t.Fatal(err)
		}
		r = rank()
		if _, listed := r[dup.ID]; listed {
			t.Fatal("merged request still ranked on its own")
		}
		if got := r[sso.ID]; got.Accounts != 4 || got.People != 5 || got.MRR != 170000 || got.ChurnedMRR != 30000 || got.AtRiskMRR != 20000 || got.WeightedAccounts != 5 || got.Total != 6 {
			t.Fatalf("after merge: %+v", got)
		}
		if err := s.MergeRequest(ctx, sso.ID, dup.ID); !errors.Is(err, store.ErrMerge) {
			t.Fatalf("merge into own merged request: %v", err)
		}
		// Unmerge: the figures before the merge come back exactly.
		if err := s.UnmergeRequest(ctx, dup.ID); err != nil {
			t.Fatal(err)
		}
		r = rank()
		if got := r[sso.ID]; got.Accounts != 2 || got.People != 2 || got.MRR != 100000 {
			t.Fatalf("SSO after unmerge: %+v", got)
		}
		if got := r[dup.ID]; got.Accounts != 3 || got.MRR != 170000 || got.WeightedAccounts != 4 {
			t.Fatalf("SAML after unmerge: %+v", got)
		}
		// CAB weight is a setting.
		rs, err := s.RankSettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		rs.CABWeight = 3
		storetest.Must(t, s.PutSetting(ctx, "ranking", rs))
		if got := rank()[dup.ID]; got.WeightedAccounts != 5 { // 2 + 3×1
			t.Fatalf("CAB weight 3: %+v", got)
		}
		// Filters: tier filter leaves out accounts of other tiers.
		byTier, err := s.RankRequests(ctx, store.RankFilter{Tier: "strategic"}, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range byTier {
			if x.Rank.Accounts != 0 {
				t.Fatalf("tier filter: %+v", x.Rank)
			}
		}
	})
}

func TestRankTagsRollsUpUniqueAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := storetest.Account(t, s, account.Account{Name: "A", Domain: "a.com"})
		if _, _, err := s.SetMRR(ctx, a.ID, 10000, "USD", time.Now().AddDate(0, -1, 0), ""); err != nil {
			t.Fatal(err)
		}
		parent := storetest.Tag(t, s, store.Tag{Name: "Editor"})
		c1 := store.Tag{Name: "Tables", ParentID: parent.ID}
		c2 := store.Tag{Name: "Images", ParentID: parent.ID}
		storetest.Must(t, s.CreateTag(ctx, &c1))
		storetest.Must(t, s.CreateTag(ctx, &c2))
		// The same account in both children, and one item carrying both children.
		storetest.Capture(t, s, feedback.Capture{Text: "t", Source: feedback.SourceAPI, Email: "x@a.com", TagIDs: []string{c1.ID}})
		storetest.Capture(t, s, feedback.Capture{Text: "u", Source: feedback.SourceAPI, Email: "y@a.com", TagIDs: []string{c1.ID, c2.ID}})
		rs, err := s.RankTags(ctx, store.RankFilter{}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]feedback.Rank{}
		for _, r := range rs {
			got[r.TagID] = r.Rank
		}
		// Editor: 2 items (the doubly-tagged one once), 1 account, 2 people, MRR $100 once.
		if e := got[parent.ID]; e.Total != 2 || e.Accounts != 1 || e.People != 2 || e.MRR != 10000 {
			t.Fatalf("Editor: %+v", e)
		}
		if e := got[c2.ID]; e.Total != 1 || e.Accounts != 1 {
			t.Fatalf("Images: %+v", e)
		}
	})
}

func TestImportTaxonomy700(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f, err := os.Open("../taxonomy/testdata/sample-700.csv")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := taxonomy.ParseCSV(f)
		if err != nil {
			t.Fatal(err)
		}
		tree, err := s.TagTree(ctx)
		if err != nil {
			t.Fatal(err)
		}
		created, _, err := s.ImportTaxonomy(ctx, taxonomy.Plan(tree, rows))
		if err != nil || created != 700 {
			t.Fatalf("import: %d %v", created, err)
		}
		tree, err = s.TagTree(ctx)
		if err != nil || tree.Len() != 700 {
			t.Fatalf("tree: %v", err)
		}
		// Roll-ups through the closure agree with the tree: every tag's ancestors.
		var deep string
		tree.Walk(func(tg taxonomy.Tag, depth int) bool {
			if depth == 3 && deep == "" {
				deep = tg.ID
			}
			return true
		})
		it := storetest.Capture(t, s, feedback.Capture{Text: "x", Source: feedback.SourceAPI, TagIDs: []string{deep}})
		for _, anc := range tree.Ancestors(deep) {
			items, _, err := s.ListFeedback(ctx, store.FeedbackFilter{TagID: anc})
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != 1 || items[0].ID != it.ID {
				t.Fatalf("ancestor %s does not roll up the item", tree.PathString(anc))
			}
		}
		// The same file again changes nothing.
		if p := taxonomy.Plan(tree, rows); len(p.New) != 0 || len(p.Updated) != 0 {
			t.Fatalf("second plan: %d new %d updated", len(p.New), len(p.Updated))
		}
	})
}

func TestEventsCommitWithTheirChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ep := store.WebhookEndpoint{URL: "https://hooks.example.com/x", Secret: "whsec_test", Events: []string{"*"}, Active: true}
		storetest.Must(t, s.CreateWebhookEndpoint(ctx, &ep))
		events := func() []string {
			// Webhooks consume the event log: fan out what has committed so far.
			if _, _, err := s.FanOutWebhooks(ctx, 0); err != nil {
				t.Fatal(err)
			}
			rows, err := s.ListOutbox(ctx, store.OutboxFilter{Kind: store.OutboxWebhook})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range rows {
				var p store.WebhookPayload
				if err := json.Unmarshal(r.Payload, &p); err != nil {
					t.Fatal(err)
				}
				out = append(out, p.Event)
			}
			return out
		}
		// A batch that fails on its second item leaves no event for the first.
		_, _, err := s.CaptureBatch(ctx, []feedback.Capture{{Text: "ok", Source: feedback.SourceAPI}, {Text: "", Source: feedback.SourceAPI}})
		if err == nil || len(events()) != 0 {
			t.Fatalf("failed batch: err %v, events %v", err, events())
		}
		storetest.Capture(t, s, feedback.Capture{Text: "ok", Source: feedback.SourceAPI, IdempotencyKey: "once"})
		if _, _, err := s.Capture(ctx, feedback.Capture{Text: "ok", Source: feedback.SourceAPI, IdempotencyKey: "once"}); err != nil {
			t.Fatal(err)
		} // a repeat is no new event
		r := storetest.Request(t, s, feedback.Request{Title: "SSO"})
		r.Title = "Single sign-on" // no status change: no event
		if _, err := s.UpdateRequest(ctx, &r); err != nil {
			t.Fatal(err)
		}
		r.Status = feedback.Planned
		if _, err := s.UpdateRequest(ctx, &r); err != nil {
			t.Fatal(err)
		}
		got := events()
		sort.Strings(got)
		if strings.Join(got, ",") != "feedback.created,request.status_changed" {
			t.Fatalf("events %v", got)
		}
	})
}
