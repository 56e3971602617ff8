package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

func ptr[T any](v T) *T { return &v }

func TestAccountCRUDAndValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := storetest.Account(t, s, account.Account{ExternalID: "acme-1", Name: " Acme ", Domain: "ACME.com", Tier: "strategic", Plan: "pro", ICPFit: ptr(80)})
		got, err := s.GetAccount(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Acme" || got.Domain != "acme.com" || got.Stage != account.Active || *got.ICPFit != 80 || string(got.Traits) != "{}" {
			t.Fatalf("stored %+v", got)
		}
		dup := account.Account{ExternalID: "acme-1", Name: "Other"}
		var fe *errs.FieldError
		if err := s.CreateAccount(ctx, &dup); !errors.As(err, &fe) || fe.Field != "external_id" {
			t.Fatalf("duplicate external id: %v", err)
		}
		bad := []account.Account{
			{Name: ""},
			{Name: "x", Tier: "gold"},
			{Name: "x", Stage: "zombie"},
			{Name: "x", Domain: "not a domain"},
			{Name: "x", SignupDate: "2025-13-01"},
			{Name: "x", ICPFit: ptr(101)},
			{Name: "x", OwnerID: "nobody"},
			{Name: "x", Traits: []byte(`[1,2]`)},
		}
		for _, b := range bad {
			if err := s.CreateAccount(ctx, &b); !errors.As(err, &fe) {
				t.Errorf("%+v accepted (err %v)", b, err)
			}
		}
		got.Name = "Acme Corp"
		if err := s.UpdateAccount(ctx, &got.Account); err != nil {
			t.Fatal(err)
		}
		if g, _ := s.GetAccountByExternalID(ctx, "acme-1"); g.Name != "Acme Corp" {
			t.Fatalf("update lost: %+v", g)
		}
		if err := s.DeleteAccount(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetAccount(ctx, a.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
	})
}

func TestListAccountsFiltersSortsAndPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		owner := auth.Member{Email: "csm@example.com", Name: "Casey", Role: auth.RoleMember}
		storetest.Members(t, s, &owner)
		// 25 accounts: MRR 100*i, every third strategic and owned, names Co 00..Co 24.
		for i := 0; i < 25; i++ {
			a := account.Account{ExternalID: fmt.Sprintf("e%02d", i), Name: fmt.Sprintf("Co %02d", i), Tier: "standard", Plan: "basic"}
			if i%3 == 0 {
				a.Tier, a.OwnerID, a.Plan = "strategic", owner.ID, "pro"
			}
			storetest.Accounts(t, s, &a)
			if i > 0 {
				if _, _, err := s.SetMRR(ctx, a.ID, int64(100*i), "USD", time.Now(), ""); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Walk every page sorted by MRR descending and check order and completeness.
		var seen []int64
		f := store.AccountFilter{Sort: "mrr", Desc: true, Limit: 7}
		pages := 0
		for {
			p, err := s.ListAccounts(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != 25 {
				t.Fatalf("total %d", p.Total)
			}
			for _, a := range p.Items {
				seen = append(seen, a.MRR)
			}
			pages++
			if p.Next == "" {
				break
			}
			f.Cursor = p.Next
		}
		if len(seen) != 25 || pages != 4 || seen[0] != 2400 || seen[24] != 0 {
			t.Fatalf("pages=%d seen=%v", pages, seen)
		}
		for i := 1; i < len(seen); i++ {
			if seen[i] > seen[i-1] {
				t.Fatalf("not sorted: %v", seen)
			}
		}
		p, err := s.ListAccounts(ctx, store.AccountFilter{Tier: "strategic", OwnerID: owner.ID, Plan: "pro"})
		if err != nil || p.Total != 9 || p.Items[0].OwnerName != "Casey" {
			t.Fatalf("filtered: total=%d err=%v", p.Total, err)
		}
		p, err = s.ListAccounts(ctx, store.AccountFilter{Q: "co 1"})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 10 { // Co 10..Co 19
			t.Fatalf("search 'co 1' found %d", p.Total)
		}
		p, err = s.ListAccounts(ctx, store.AccountFilter{Q: "100%_"})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 0 {
			t.Fatalf("LIKE wildcards not escaped: %d", p.Total)
		}
		p, err = s.ListAccounts(ctx, store.AccountFilter{Unowned: true})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 16 {
			t.Fatalf("unowned %d", p.Total)
		}
		if _, err := s.ListAccounts(ctx, store.AccountFilter{Sort: "evil; DROP"}); !errors.Is(err, store.ErrBadSort) {
			t.Fatalf("bad sort: %v", err)
		}
		if _, err := s.ListAccounts(ctx, store.AccountFilter{Cursor: "!!"}); !errors.Is(err, store.ErrBadCursor) {
			t.Fatalf("bad cursor: %v", err)
		}
	})
}

func TestUpsertAccountsIsIdempotentAndAtomic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		batch := func() []account.AccountPatch {
			return []account.AccountPatch{
				{ExternalID: "a1", Name: ptr("Alpha"), Tier: ptr("important"), MRR: ptr(int64(50000)), Currency: ptr("USD")},
				{ExternalID: "a2", Name: ptr("Beta"), Seats: ptr(12)},
			}
		}
		r, err := s.UpsertAccounts(ctx, batch())
		if err != nil || r.Created != 2 || r.Updated != 0 || r.Unchanged != 0 {
			t.Fatalf("first: %+v %v", r, err)
		}
		r, err = s.UpsertAccounts(ctx, batch())
		if err != nil || r.Created != 0 || r.Updated != 0 || r.Unchanged != 2 {
			t.Fatalf("second: %+v %v", r, err)
		}
		ms, err := s.ListMovements(ctx, store.MovementFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || ms[0].Kind != revenue.New || ms[0].Delta != 50000 {
			t.Fatalf("movements after two identical upserts: %+v", ms)
		}
		// A partial patch touches only its fields.
		r, err = s.UpsertAccounts(ctx, []account.AccountPatch{{ExternalID: "a2", Plan: ptr("team")}})
		if err != nil || r.Updated != 1 {
			t.Fatalf("partial: %+v %v", r, err)
		}
		b, err := s.GetAccountByExternalID(ctx, "a2")
		if err != nil {
			t.Fatal(err)
		}
		if b.Name != "Beta" || b.Seats != 12 || b.Plan != "team" {
			t.Fatalf("partial patch clobbered fields: %+v", b)
		}
		// One bad item: nothing from the batch is written.
		var re *errs.ItemError
		var fe *errs.FieldError
		_, err = s.UpsertAccounts(ctx, []account.AccountPatch{
			{ExternalID: "a3", Name: ptr("Gamma")},
			{ExternalID: "a4", Name: ptr("Delta"), Tier: ptr("platinum")},
		})
		if !errors.As(err, &re) || re.Index != 1 || !errors.As(err, &fe) || fe.Field != "tier" {
			t.Fatalf("bad batch: %v", err)
		}
		if _, err := s.GetAccountByExternalID(ctx, "a3"); !errors.Is(err, store.ErrNotFound) {
			t.Fatal("a3 was written although the batch failed")
		}
		_, err = s.UpsertAccounts(ctx, []account.AccountPatch{{ExternalID: "d", Name: ptr("x")}, {ExternalID: "d", Name: ptr("y")}})
		if !errors.As(err, &re) || re.Index != 1 || !errors.As(err, &fe) || fe.Field != "external_id" {
			t.Fatalf("duplicate in batch: %v", err)
		}
		_, err = s.UpsertAccounts(ctx, []account.AccountPatch{{ExternalID: "a1", MRR: ptr(int64(100)), Currency: ptr("EUR")}})
		if !errors.As(err, &re) || !errors.As(err, &fe) || fe.Field != "currency" {
			t.Fatalf("currency change: %v", err)
		}
	})
}

func TestMRRMovementsDriveAccountState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := storetest.Account(t, s, account.Account{Name: "Acme"})
		day := func(d string) time.Time { v, _ := time.Parse("2006-01-02", d); return v }
		steps := []struct {
			date  string
			mrr   int64
			kind  revenue.Kind
			stage account.Stage
		}{
			{"2025-01-01", 10000, revenue.New, account.Active},
			{"2025-04-01", 30000, revenue.Expansion, account.Active},
			{"2025-07-01", 0, revenue.Churn, account.Churned},
			{"2025-10-01", 20000, revenue.Reactivation, account.Active},
		}
		for _, st := range steps {
			m, changed, err := s.SetMRR(ctx, a.ID, st.mrr, "EUR", day(st.date), "")
			if err != nil || !changed || m.Kind != st.kind {
				t.Fatalf("%s: %+v %v %v", st.date, m, changed, err)
			}
			got, err := s.GetAccount(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.MRR != st.mrr || got.Stage != st.stage || got.Currency != "EUR" {
				t.Fatalf("%s: account %+v", st.date, got.Account)
			}
		}
		all, err := s.ListMovements(ctx, store.MovementFilter{AccountID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 4 || revenue.MRROn(all, day("2025-05-15")) != 30000 || revenue.MRROn(all, day("2025-08-01")) != 0 {
			t.Fatalf("history: %+v", all)
		}
		if _, _, err := s.SetMRR(ctx, a.ID, 1, "USD", day("2025-11-01"), ""); !errors.Is(err, revenue.ErrCurrencyMismatch) {
			t.Fatalf("USD on EUR account: %v", err)
		}
		m := revenue.Movement{AccountID: a.ID, Kind: revenue.Contraction, Delta: -5000, Currency: "EUR", EffectiveAt: day("2025-12-01")}
		if err := s.AddMovement(ctx, &m); err != nil || m.MRRAfter != 15000 {
			t.Fatalf("explicit contraction: %+v %v", m, err)
		}
		bad := revenue.Movement{AccountID: a.ID, Kind: revenue.New, Delta: 5, Currency: "EUR", EffectiveAt: day("2025-12-02")}
		if err := s.AddMovement(ctx, &bad); !errors.Is(err, revenue.ErrKindMismatch) {
			t.Fatalf("wrong kind accepted: %v", err)
		}
		totals, err := s.MRRTotals(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if totals["EUR"] != 15000 {
			t.Fatalf("totals %v", totals)
		}
	})
}

func TestPeopleContractsTouchpoints(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := storetest.Account(t, s, account.Account{ExternalID: "acc", Name: "Acme"})
		r, err := s.UpsertPeople(ctx, []account.PersonPatch{
			{Email: ptr("Ann@Acme.com"), Name: ptr("Ann"), AccountExternalID: ptr("acc"), Champion: ptr(true)},
			{ExternalID: "u2", Email: ptr("bo@acme.com"), AccountExternalID: ptr("acc")},
		})
		if err != nil || r.Created != 2 {
			t.Fatalf("people: %+v %v", r, err)
		}
		r, err = s.UpsertPeople(ctx, []account.PersonPatch{{Email: ptr("ann@acme.com"), Name: ptr("Ann"), AccountExternalID: ptr("acc"), Champion: ptr(true)}})
		if err != nil || r.Unchanged != 1 {
			t.Fatalf("people again: %+v %v", r, err)
		}
		var re *errs.FieldError
		if _, err := s.UpsertPeople(ctx, []account.PersonPatch{{Email: ptr("x@y.com"), AccountExternalID: ptr("nope")}}); !errors.As(err, new(*errs.ItemError)) || !errors.As(err, &re) || re.Field != "account_external_id" {
			t.Fatalf("unknown account: %v", err)
		}
		ann, err := s.GetPersonByEmail(ctx, "ANN@acme.com")
		if err != nil || ann.AccountID != a.ID || !ann.Champion {
			t.Fatalf("ann: %+v %v", ann, err)
		}
		people, _, err := s.ListPeople(ctx, store.PersonFilter{AccountID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(people) != 2 {
			t.Fatalf("people of account: %d", len(people))
		}

		c := account.Contract{AccountID: a.ID, StartDate: "2025-03-01", TermMonths: 12, CancellationWindow: 90, AutoRenew: true}
		if err := s.SaveContract(ctx, &c); err != nil {
			t.Fatal(err)
		}
		if c.RenewalDate != "2026-03-01" || c.NoticeDeadline() != "2025-12-01" {
			t.Fatalf("renewal %s notice %s", c.RenewalDate, c.NoticeDeadline())
		}
		got, err := s.GetAccount(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.RenewalDate != "2026-03-01" {
			t.Fatalf("account renewal not synced: %q", got.RenewalDate)
		}
		if err := s.DeleteContract(ctx, c.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetAccount(ctx, a.ID); got.RenewalDate != "" {
			t.Fatalf("renewal kept after contract delete: %q", got.RenewalDate)
		}

		member := auth.Member{Email: "me@team.com", Name: "Me", Role: auth.RoleMember}
		storetest.Must(t, s.CreateMember(ctx, &member))
		for i, kind := range []account.TouchpointKind{account.Call, account.Email, account.Note} {
			tp := account.Touchpoint{AccountID: a.ID, PersonID: ann.ID, MemberID: member.ID, Kind: kind, Summary: fmt.Sprintf("t%d", i),
				OccurredAt: time.Now().Add(time.Duration(i-10) * time.Hour)}
			storetest.Must(t, s.CreateTouchpoint(ctx, &tp))
		}
		tl, _, err := s.ListTouchpoints(ctx, store.TouchpointFilter{AccountID: a.ID})
		if err != nil || len(tl) != 3 || tl[0].Summary != "t2" || tl[0].Direction != account.Internal || tl[0].PersonName != "Ann" || tl[0].MemberName != "Me" {
			t.Fatalf("timeline: %+v %v", tl, err)
		}
		other := storetest.Account(t, s, account.Account{Name: "Other"})
		tp := account.Touchpoint{AccountID: other.ID, PersonID: ann.ID, Kind: account.Call, Summary: "x"}
		var fe *errs.FieldError
		if err := s.CreateTouchpoint(ctx, &tp); !errors.As(err, &fe) || fe.Field != "person_id" {
			t.Fatalf("person of another account: %v", err)
		}
	})
}

func TestTeamSessionsAndKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		m := auth.Member{Email: "Admin@Example.com", Name: "Ada", Role: auth.RoleMember, PasswordHash: "x"}
		storetest.Members(t, s, &m)
		dup := auth.Member{Email: "admin@example.com", Role: auth.RoleViewer}
		if err := s.CreateMember(ctx, &dup); err == nil {
			t.Fatal("duplicate email accepted")
		}
		tok := auth.NewSessionToken()
		if _, err := s.CreateSession(ctx, auth.HashToken(tok), m.ID, time.Hour); err != nil {
			t.Fatal(err)
		}
		got, err := s.SessionMember(ctx, auth.HashToken(tok))
		if err != nil || got.ID != m.ID {
			t.Fatalf("session: %+v %v", got, err)
		}
		m.Disabled = true
		if err := s.UpdateMember(ctx, &m); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionMember(ctx, auth.HashToken(tok)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("disabled member keeps session: %v", err)
		}
		k, secret, err := s.CreateAPIKey(ctx, "pipeline", []auth.Scope{auth.ScopeIngest}, "")
		if err != nil {
			t.Fatal(err)
		}
		got2, err := s.AuthenticateAPIKey(ctx, secret)
		if err != nil || got2.ID != k.ID || !auth.Grants(got2.Scopes, auth.ScopeIngest) {
			t.Fatalf("auth key: %+v %v", got2, err)
		}
		if _, err := s.AuthenticateAPIKey(ctx, secret+"x"); !errors.Is(err, store.ErrBadKey) {
			t.Fatal("tampered key accepted")
		}
		storetest.Must(t, s.RevokeAPIKey(ctx, k.ID))
		if _, err := s.AuthenticateAPIKey(ctx, secret); !errors.Is(err, store.ErrBadKey) {
			t.Fatal("revoked key accepted")
		}
	})
}
