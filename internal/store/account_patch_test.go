package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

func TestCreateAccountFromPatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		row, err := s.CreateAccountFromPatch(ctx, account.AccountPatch{ExternalID: "a1", Name: ptr("Acme"), MRR: ptr(int64(900)), Currency: ptr(" usd "), MRRAt: &at})
		if err != nil {
			t.Fatal(err)
		}
		if row.ID == "" || row.MRR != 900 || row.Currency != "USD" || row.Tier != "standard" {
			t.Fatalf("created %+v", row)
		}
		ms, err := s.ListMovements(ctx, store.MovementFilter{AccountID: row.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || ms[0].Kind != revenue.New || !ms[0].EffectiveAt.Equal(at) {
			t.Fatalf("movements %+v", ms)
		}
		// A refused MRR rolls the whole create back.
		_, err = s.CreateAccountFromPatch(ctx, account.AccountPatch{Name: ptr("Half"), MRR: ptr(int64(5))})
		var fe *errs.FieldError
		if !errors.As(err, &fe) || fe.Field != "currency" {
			t.Fatalf("mrr without currency: %v", err)
		}
		_, err = s.CreateAccountFromPatch(ctx, account.AccountPatch{Name: ptr("Half"), MRR: ptr(int64(5)), Currency: ptr("dollars")})
		if !errors.Is(err, revenue.ErrBadCurrency) {
			t.Fatalf("bad currency: %v", err)
		}
		if n, _ := s.CountAccounts(ctx); n != 1 {
			t.Fatalf("refused creates left %d accounts", n)
		}
		_, err = s.CreateAccountFromPatch(ctx, account.AccountPatch{Name: ptr("X"), OwnerEmail: ptr("ghost@example.com")})
		if !errors.As(err, &fe) || fe.Field != "owner_email" {
			t.Fatalf("unknown owner email: %v", err)
		}
	})
}

func TestPatchAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		owner := auth.Member{Email: "csm@example.com", Name: "Casey", Role: auth.RoleMember}
		storetest.Members(t, s, &owner)
		a := storetest.Account(t, s, account.Account{Name: "Acme", Plan: "pro", Tier: "strategic", ICPFit: ptr(50)})
		var clear *int
		row, err := s.PatchAccount(ctx, a.ID, account.AccountPatch{Plan: ptr("enterprise"), ICPFit: &clear, OwnerEmail: ptr("CSM@example.com")})
		if err != nil {
			t.Fatal(err)
		}
		if row.Plan != "enterprise" || row.ICPFit != nil || row.OwnerID != owner.ID || row.OwnerName != "Casey" || row.Name != "Acme" || row.Tier != "strategic" {
			t.Fatalf("patched %+v", row)
		}
		row, err = s.PatchAccount(ctx, a.ID, account.AccountPatch{MRR: ptr(int64(1000)), Currency: ptr("EUR")})
		if err != nil || row.MRR != 1000 || row.Currency != "EUR" {
			t.Fatalf("mrr patch %+v %v", row, err)
		}
		// The currency defaults to the billing currency; another one is refused and
		// the rest of the patch is rolled back with it.
		if row, err = s.PatchAccount(ctx, a.ID, account.AccountPatch{MRR: ptr(int64(0))}); err != nil || row.MRR != 0 || row.Stage != account.Churned {
			t.Fatalf("churn %+v %v", row, err)
		}
		_, err = s.PatchAccount(ctx, a.ID, account.AccountPatch{Plan: ptr("basic"), MRR: ptr(int64(10)), Currency: ptr("USD")})
		if !errors.Is(err, revenue.ErrCurrencyMismatch) {
			t.Fatalf("currency mismatch: %v", err)
		}
		got, err := s.GetAccount(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Plan != "enterprise" {
			t.Fatalf("refused patch changed plan to %q", got.Plan)
		}
		// A patch that changes nothing writes nothing.
		s.Now = func() time.Time { return time.Now().Add(time.Hour).UTC() }
		row, err = s.PatchAccount(ctx, a.ID, account.AccountPatch{Plan: ptr("enterprise"), MRR: ptr(int64(0))})
		if err != nil || !row.UpdatedAt.Equal(got.UpdatedAt) {
			t.Fatalf("no-op patch: %v, updated_at %v → %v", err, got.UpdatedAt, row.UpdatedAt)
		}
		if _, err := s.PatchAccount(ctx, "ghost", account.AccountPatch{Plan: ptr("x")}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing account: %v", err)
		}
		var fe *errs.FieldError
		if _, err := s.PatchAccount(ctx, a.ID, account.AccountPatch{Tier: ptr("gold")}); !errors.As(err, &fe) || fe.Field != "tier" {
			t.Fatalf("bad tier: %v", err)
		}
	})
}
