package revenue

import (
	"errors"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/money"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// A customer's life, worked by hand: signs up at 100.00, upgrades to 250.00,
// downgrades to 200.00, churns, comes back at 50.00. Each row is one "set MRR" and the
// movement we expect, with the running state carried to the next row.
func TestSetMRRLifecycle(t *testing.T) {
	steps := []struct {
		date      string
		mrr       int64
		wantKind  Kind
		wantDelta int64
		wantOK    bool
	}{
		{"2025-01-10", 10000, New, 10000, true},
		{"2025-01-20", 10000, "", 0, false}, // same value again: nothing recorded
		{"2025-03-01", 25000, Expansion, 15000, true},
		{"2025-06-01", 20000, Contraction, -5000, true},
		{"2025-09-01", 0, Churn, -20000, true},
		{"2025-09-15", 0, "", 0, false},
		{"2026-01-05", 5000, Reactivation, 5000, true},
	}
	var st State
	var all []Movement
	for _, s := range steps {
		m, ok, err := SetMRR(st, s.mrr, "USD", day(s.date))
		if err != nil {
			t.Fatalf("%s: %v", s.date, err)
		}
		if ok != s.wantOK || m.Kind != s.wantKind || m.Delta != s.wantDelta {
			t.Fatalf("%s set %d: got kind=%q delta=%d ok=%v, want %q %d %v", s.date, s.mrr, m.Kind, m.Delta, ok, s.wantKind, s.wantDelta, s.wantOK)
		}
		if ok {
			if m.MRRAfter != s.mrr {
				t.Fatalf("%s: MRRAfter=%d want %d", s.date, m.MRRAfter, s.mrr)
			}
			all = append(all, m)
			st = st.Next(m)
		}
	}
	// MRR on dates, by hand from the table above.
	on := []struct {
		date string
		want int64
	}{
		{"2025-01-09", 0},
		{"2025-01-10", 10000}, // effective the same day
		{"2025-02-28", 10000},
		{"2025-03-01", 25000},
		{"2025-07-01", 20000},
		{"2025-12-31", 0},
		{"2026-02-01", 5000},
	}
	for _, o := range on {
		if got := MRROn(all, day(o.date)); got != o.want {
			t.Errorf("MRROn(%s) = %d, want %d", o.date, got, o.want)
		}
	}
	// Totals for 2025 by hand: new 10000, expansion 15000, contraction -5000, churn -20000; net 0.
	sum := Summarize(all, day("2025-01-01"), day("2026-01-01"))
	if len(sum) != 1 {
		t.Fatalf("summaries: %+v", sum)
	}
	s := sum[0]
	if s.ByKind[New] != 10000 || s.ByKind[Expansion] != 15000 || s.ByKind[Contraction] != -5000 || s.ByKind[Churn] != -20000 || s.ByKind[Reactivation] != 0 || s.Net != 0 {
		t.Fatalf("2025 summary: %+v", s)
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		prev, next int64
		had        bool
		want       Kind
		changed    bool
	}{
		{0, 100, false, New, true},
		{0, 100, true, Reactivation, true},
		{100, 150, true, Expansion, true},
		{150, 100, true, Contraction, true},
		{100, 0, true, Churn, true},
		{100, 100, true, "", false},
		{0, 0, true, "", false},
	}
	for _, c := range cases {
		k, ch := Classify(c.prev, c.next, c.had)
		if k != c.want || ch != c.changed {
			t.Errorf("Classify(%d,%d,%v) = %q,%v want %q,%v", c.prev, c.next, c.had, k, ch, c.want, c.changed)
		}
	}
}

func TestCurrenciesAreRefusedNotConverted(t *testing.T) {
	st := State{MRR: 10000, Currency: "USD", HadRevenue: true}
	if _, _, err := SetMRR(st, 12000, "EUR", day("2025-05-01")); !errors.Is(err, ErrCurrencyMismatch) {
		t.Fatalf("EUR on a USD account: got %v, want ErrCurrencyMismatch", err)
	}
	if _, _, err := SetMRR(st, 12000, "usd", day("2025-05-01")); !errors.Is(err, ErrBadCurrency) {
		t.Fatalf("lowercase code: got %v, want ErrBadCurrency", err)
	}
	// A new account takes the currency of its first movement.
	m, ok, err := SetMRR(State{}, 9900, "EUR", day("2025-05-01"))
	if err != nil || !ok || m.Currency != "EUR" {
		t.Fatalf("first EUR movement: %+v %v %v", m, ok, err)
	}
	// Totals never add currencies together.
	sum := Summarize([]Movement{
		{Kind: New, Delta: 100, Currency: "USD", EffectiveAt: day("2025-01-02")},
		{Kind: New, Delta: 200, Currency: "EUR", EffectiveAt: day("2025-01-03")},
	}, day("2025-01-01"), day("2025-02-01"))
	if len(sum) != 2 || sum[0].Currency != "EUR" || sum[0].Net != 200 || sum[1].Net != 100 {
		t.Fatalf("per-currency summary: %+v", sum)
	}
}

func TestSetMRRRefusals(t *testing.T) {
	st := State{MRR: 100, Currency: "USD", HadRevenue: true, LastMovement: day("2025-06-01")}
	if _, _, err := SetMRR(st, -1, "USD", day("2025-07-01")); !errors.Is(err, ErrNegativeMRR) {
		t.Errorf("negative: %v", err)
	}
	if _, _, err := SetMRR(st, 200, "USD", day("2025-05-01")); !errors.Is(err, ErrBackdated) {
		t.Errorf("backdated: %v", err)
	}
}

func TestApplyChecksKind(t *testing.T) {
	st := State{MRR: 10000, Currency: "USD", HadRevenue: true}
	m, err := Apply(st, Movement{Kind: Expansion, Delta: 2500, Currency: "USD", EffectiveAt: day("2025-02-01")})
	if err != nil || m.MRRAfter != 12500 {
		t.Fatalf("expansion: %+v %v", m, err)
	}
	bad := []Movement{
		{Kind: Expansion, Delta: -100, Currency: "USD"},     // a decrease is a contraction
		{Kind: Churn, Delta: -5000, Currency: "USD"},        // churn must take MRR to zero
		{Kind: New, Delta: 100, Currency: "USD"},            // not new: the account already pays
		{Kind: Contraction, Delta: -20000, Currency: "USD"}, // below zero
		{Kind: "upsell", Delta: 100, Currency: "USD"},
	}
	for _, b := range bad {
		if _, err := Apply(st, b); err == nil {
			t.Errorf("Apply(%+v) accepted", b)
		}
	}
	m, err = Apply(st, Movement{Kind: Churn, Delta: -10000, Currency: "USD"})
	if err != nil || m.MRRAfter != 0 {
		t.Fatalf("churn: %+v %v", m, err)
	}
}

// Amounts are bounded by money.MaxAmount: setting MRR beyond it, a delta beyond it, or
// a movement whose resulting MRR would pass it is refused as too large (naming the
// amount), never wrapped round int64 into "MRR cannot be negative".
func TestAmountsAreBounded(t *testing.T) {
	at := day("2025-07-01")
	if m, ok, err := SetMRR(State{}, money.MaxAmount, "USD", at); err != nil || !ok || m.MRRAfter != money.MaxAmount {
		t.Fatalf("MRR at the maximum: %+v %v %v", m, ok, err)
	}
	for _, v := range []int64{money.MaxAmount + 1, math.MaxInt64} {
		if _, _, err := SetMRR(State{}, v, "USD", at); !errors.Is(err, ErrTooLarge) || fieldOf(err) != "mrr" {
			t.Errorf("SetMRR(%d): %v", v, err)
		}
	}
	paying := State{MRR: money.MaxAmount - 10, Currency: "USD", HadRevenue: true}
	if m, err := Apply(paying, Movement{Kind: Expansion, Delta: 10, Currency: "USD", EffectiveAt: at}); err != nil || m.MRRAfter != money.MaxAmount {
		t.Fatalf("expansion to the maximum: %+v %v", m, err)
	}
	for _, mv := range []Movement{
		{Kind: Expansion, Delta: 11, Currency: "USD"},              // one past the maximum
		{Kind: Expansion, Delta: math.MaxInt64, Currency: "USD"},   // wrapped to negative before
		{Kind: Contraction, Delta: math.MinInt64, Currency: "USD"}, // likewise
		{Kind: Contraction, Delta: -money.MaxAmount - 1, Currency: "USD"},
	} {
		mv.EffectiveAt = at
		_, err := Apply(paying, mv)
		if !errors.Is(err, ErrTooLarge) || fieldOf(err) != "delta" {
			t.Errorf("Apply(%+v): %v, want too large naming delta", mv, err)
		}
	}
	if _, err := Apply(State{}, Movement{Kind: New, Delta: math.MaxInt64, Currency: "USD", EffectiveAt: at}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("new of MaxInt64: %v", err)
	}
	// An MRR stored before the bound existed cannot wrap either.
	legacy := State{MRR: math.MaxInt64 - 5, Currency: "USD", HadRevenue: true}
	if _, err := Apply(legacy, Movement{Kind: Expansion, Delta: 10, Currency: "USD", EffectiveAt: at}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("expansion of a legacy MRR: %v", err)
	}
}

// Every refusal is an *errs.FieldError naming the input to fix, whose text (what the
// API shows) keeps the detail, and errors.Is still tells the rules apart.
func TestErrorsNameTheirField(t *testing.T) {
	st := State{MRR: 100, Currency: "USD", HadRevenue: true, LastMovement: day("2025-06-01")}
	_, _, e1 := SetMRR(st, 200, "EUR", day("2025-07-01"))
	_, _, e2 := SetMRR(st, 200, "USD", day("2025-01-01"))
	_, _, e3 := SetMRR(st, -5, "USD", day("2025-07-01"))
	_, e4 := Apply(st, Movement{Kind: New, Delta: 5, Currency: "USD", EffectiveAt: day("2025-07-01")})
	_, e5 := Apply(st, Movement{Kind: Contraction, Delta: -500, Currency: "USD", EffectiveAt: day("2025-07-01")})
	_, _, e6 := SetMRR(State{}, money.MaxAmount+1, "USD", day("2025-07-01"))
	_, e7 := Apply(st, Movement{Kind: Expansion, Delta: money.MaxAmount, Currency: "USD", EffectiveAt: day("2025-07-01")})
	cases := []struct {
		err   error
		rule  error
		field string
		text  string
	}{
		{e1, ErrCurrencyMismatch, "currency", "currency differs from the account's billing currency: account bills in USD, got EUR"},
		{e2, ErrBackdated, "effective_at", "effective date is before the account's latest movement (2025-06-01)"},
		{e3, ErrNegativeMRR, "mrr", "MRR cannot be negative"},
		{e4, ErrKindMismatch, "kind", "movement kind does not match the MRR change: new of 5 from MRR 100 is a expansion"},
		{e5, ErrNegativeMRR, "delta", "MRR cannot be negative"},
		{e6, ErrTooLarge, "mrr", "amount is too large: MRR " + money.TooLarge("USD")},
		{e7, ErrTooLarge, "delta", "amount is too large: this movement would take MRR from 100 to " + strconv.FormatInt(100+money.MaxAmount, 10) + ", and MRR " + money.TooLarge("USD")},
	}
	for _, c := range cases {
		var fe *errs.FieldError
		if !errors.As(c.err, &fe) || fe.Field != c.field || !errors.Is(c.err, c.rule) || c.err.Error() != c.text {
			t.Errorf("%v: field %+v, want %s, %q", c.err, fe, c.field, c.text)
		}
	}
}

// fieldOf is the field an error names, "" when it is not a validation error.
func fieldOf(err error) string {
	var fe *errs.FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return ""
}
