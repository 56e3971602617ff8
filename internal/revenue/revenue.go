// Package revenue holds the rules of MRR movements: how a change in an account's
// monthly recurring revenue is classified, and how MRR on any date derives from the
// movements. It does no I/O; the store persists what these rules decide.
//
// Currency policy: an account bills in one currency, fixed by its first movement.
// A movement or "set MRR" in any other currency is refused (ErrCurrencyMismatch)
// rather than converted: closeloop has no trustworthy exchange-rate source offline,
// and a silently converted figure would make every later movement wrong. Reports that
// add MRR across accounts group by currency.
package revenue

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/money"
)

// Kind classifies a movement.
type Kind string

const (
	New          Kind = "new"
	Expansion    Kind = "expansion"
	Contraction  Kind = "contraction"
	Churn        Kind = "churn"
	Reactivation Kind = "reactivation"
)

// Kinds lists every kind, in reporting order.
var Kinds = []Kind{New, Expansion, Contraction, Churn, Reactivation}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	return slices.Contains(Kinds, k)
}

// Movement is one change of an account's MRR. Delta is signed, in minor units.
type Movement struct {
	ID          string    `json:"id"`
	AccountID   string    `json:"account_id"`
	Kind        Kind      `json:"kind"`
	Delta       int64     `json:"delta"`
	MRRAfter    int64     `json:"mrr_after"`
	Currency    string    `json:"currency"`
	EffectiveAt time.Time `json:"effective_at"`
	Note        string    `json:"note,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// The rules a movement or "set MRR" can break. Each is an *errs.FieldError naming the
// input to fix, so the router answers 400 with that field; errors.Is tells them apart.
// The amount errors name "mrr"; Apply, whose amount is the delta, names "delta".
var (
	ErrCurrencyMismatch = errs.About("currency", errors.New("currency differs from the account's billing currency"))
	ErrNegativeMRR      = errs.About("mrr", errors.New("MRR cannot be negative"))
	ErrBadCurrency      = errs.About("currency", errors.New("currency must be a three-letter ISO 4217 code such as USD"))
	ErrKindMismatch     = errs.About("kind", errors.New("movement kind does not match the MRR change"))
	ErrBackdated        = errs.About("effective_at", errors.New("effective date is before the account's latest movement"))
	// ErrTooLarge refuses an amount, or the MRR a movement would lead to, beyond
	// money.MaxAmount, so no sum or axis computed from amounts can overflow int64.
	ErrTooLarge = errs.About("mrr", errors.New("amount is too large"))
)

// detail adds to rule's text and keeps rule's field: the error is still rule for
// errors.Is, and its text, which the API shows, has the detail.
func detail(rule *errs.FieldError, format string, args ...any) error {
	return errs.About(rule.Field, fmt.Errorf("%w"+format, append([]any{rule}, args...)...))
}

// tooLarge refuses an amount; field is what the caller calls it ("mrr" or "delta").
func tooLarge(field, what, currency string) error {
	return errs.About(field, fmt.Errorf("%w: %s %s", ErrTooLarge, what, money.TooLarge(currency)))
}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// ValidCurrency reports whether c looks like an ISO 4217 code.
func ValidCurrency(c string) bool { return currencyRE.MatchString(c) }

// State is what the rules need to know about an account's revenue so far.
type State struct {
	MRR          int64     // current MRR in minor units
	Currency     string    // "" until the first movement
	HadRevenue   bool      // any earlier movement with MRR > 0: decides new vs reactivation
	LastMovement time.Time // zero when there is none
}

// Classify returns the kind of the change from prev to next MRR, and false when there
// is no change to record. hadRevenue tells a first sale from a returning customer.
func Classify(prev, next int64, hadRevenue bool) (Kind, bool) {
	switch {
	case prev == next:
		return "", false
	case prev == 0 && hadRevenue:
		return Reactivation, true
	case prev == 0:
		return New, true
	case next == 0:
		return Churn, true
	case next > prev:
		return Expansion, true
	default:
		return Contraction, true
	}
}

// SetMRR computes the movement that brings an account from st to mrr in currency at
// time at. It returns ok=false when nothing changes (so importing the same value
// twice records nothing).
func SetMRR(st State, mrr int64, currency string, at time.Time) (m Movement, ok bool, err error) {
	if mrr < 0 {
		return m, false, ErrNegativeMRR
	}
	if !ValidCurrency(currency) {
		return m, false, ErrBadCurrency
	}
	if mrr > money.MaxAmount {
		return m, false, tooLarge("mrr", "MRR", currency)
	}
	if st.Currency != "" && st.Currency != currency {
		return m, false, detail(ErrCurrencyMismatch, ": account bills in %s, got %s", st.Currency, currency)
	}
	kind, changed := Classify(st.MRR, mrr, st.HadRevenue)
	if !changed {
		return m, false, nil
	}
	if !st.LastMovement.IsZero() && at.Before(st.LastMovement) {
		return m, false, detail(ErrBackdated, " (%s)", st.LastMovement.Format("2006-01-02"))
	}
	return Movement{Kind: kind, Delta: mrr - st.MRR, MRRAfter: mrr, Currency: currency, EffectiveAt: at.UTC()}, true, nil
}

// Apply checks an explicitly stated movement (kind and signed delta) against st and
// fills MRRAfter. Used when history is imported movement by movement.
func Apply(st State, m Movement) (Movement, error) {
	if !m.Kind.Valid() {
		return m, errs.About("kind", fmt.Errorf("unknown movement kind %q (want new, expansion, contraction, churn or reactivation)", m.Kind))
	}
	if !ValidCurrency(m.Currency) {
		return m, ErrBadCurrency
	}
	if st.Currency != "" && st.Currency != m.Currency {
		return m, detail(ErrCurrencyMismatch, ": account bills in %s, got %s", st.Currency, m.Currency)
	}
	// Bounding the delta first keeps st.MRR + m.Delta inside int64 (both are at most
	// MaxAmount), so an overflowing expansion is refused as too large, not as negative.
	// The wrap check covers an MRR stored before the bound existed.
	if !money.InRange(m.Delta) {
		return m, tooLarge("delta", "the size of a movement's delta", m.Currency)
	}
	next := st.MRR + m.Delta
	if m.Delta > 0 && next < st.MRR {
		return m, tooLarge("delta", "the MRR after this movement", m.Currency)
	}
	if next < 0 {
		return m, errs.About("delta", ErrNegativeMRR)
	}
	if next > money.MaxAmount {
		return m, tooLarge("delta", fmt.Sprintf("this movement would take MRR from %d to %d, and MRR", st.MRR, next), m.Currency)
	}
	want, changed := Classify(st.MRR, next, st.HadRevenue)
	if !changed || want != m.Kind {
		return m, detail(ErrKindMismatch, ": %s of %d from MRR %d is a %s", m.Kind, m.Delta, st.MRR, describe(want, changed))
	}
	if !st.LastMovement.IsZero() && m.EffectiveAt.Before(st.LastMovement) {
		return m, detail(ErrBackdated, " (%s)", st.LastMovement.Format("2006-01-02"))
	}
	m.MRRAfter = next
	m.EffectiveAt = m.EffectiveAt.UTC()
	return m, nil
}

func describe(k Kind, changed bool) string {
	if !changed {
		return "no change"
	}
	return string(k)
}

// Next returns the state after m.
func (st State) Next(m Movement) State {
	return State{MRR: m.MRRAfter, Currency: m.Currency, HadRevenue: st.HadRevenue || m.MRRAfter > 0, LastMovement: m.EffectiveAt}
}

// MRROn returns the MRR in force at the end of day on date, from movements in any order.
func MRROn(movements []Movement, on time.Time) int64 {
	end := time.Date(on.Year(), on.Month(), on.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	ms := append([]Movement(nil), movements...)
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].EffectiveAt.Before(ms[j].EffectiveAt) })
	var mrr int64
	for _, m := range ms {
		if !m.EffectiveAt.Before(end) {
			break
		}
		mrr += m.Delta
	}
	return mrr
}

// Summary totals movements by kind over a period, for one currency.
type Summary struct {
	Currency string         `json:"currency"`
	ByKind   map[Kind]int64 `json:"by_kind"`
	Net      int64          `json:"net"`
}

// Summarize totals the movements with EffectiveAt in [from, to), grouped by currency.
func Summarize(movements []Movement, from, to time.Time) []Summary {
	by := map[string]*Summary{}
	for _, m := range movements {
		if m.EffectiveAt.Before(from) || !m.EffectiveAt.Before(to) {
			continue
		}
		s := by[m.Currency]
		if s == nil {
			s = &Summary{Currency: m.Currency, ByKind: map[Kind]int64{}}
			by[m.Currency] = s
		}
		s.ByKind[m.Kind] += m.Delta
		s.Net += m.Delta
	}
	out := make([]Summary, 0, len(by))
	for _, s := range by {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}
