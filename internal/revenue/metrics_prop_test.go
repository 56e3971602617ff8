package revenue

import (
	"math/rand"
	"testing"
	"time"
)

// randomLedger builds n accounts whose MRR is set at random times over two years,
// some in EUR, with bursts of movements minutes apart so grouping has work to do.
func randomLedger(r *rand.Rand, n int) []AccountHistory {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []AccountHistory
	for i := 0; i < n; i++ {
		cur := "USD"
		if r.Intn(3) == 0 {
			cur = "EUR"
		}
		var st State
		var ms []Movement
		at := base.Add(time.Duration(r.Intn(200*24)) * time.Hour)
		for k := r.Intn(8); k >= 0; k-- {
			var v int64
			if r.Intn(4) > 0 {
				v = int64(r.Intn(50)) * 1000
			}
			if m, ok, err := SetMRR(st, v, cur, at); err == nil && ok {
				ms = append(ms, m)
				st = st.Next(m)
			}
			if r.Intn(3) == 0 {
				at = at.Add(time.Duration(r.Intn(90)) * time.Minute)
			} else {
				at = at.Add(time.Duration(r.Intn(90*24)) * time.Hour)
			}
		}
		out = append(out, AccountHistory{ID: string(rune('a' + i%26)), Tier: []string{"a", "b"}[i%2], Movements: ms})
	}
	return out
}

func TestMetricsProperties(t *testing.T) {
	r := rand.New(rand.NewSource(15))
	from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	for trial := 0; trial < 200; trial++ {
		accts := randomLedger(r, 1+r.Intn(30))
		d := Definitions{QuickRatioReactivation: r.Intn(2) == 0, ChurnAtPeriodEnd: r.Intn(2) == 0, GroupMinutes: []int{0, 60, 120}[r.Intn(3)]}
		iv := []Interval{Month, Quarter, Year}[r.Intn(3)]
		conv := Conversion{}
		if r.Intn(2) == 0 {
			conv = Conversion{Currency: "USD", Rates: map[string]float64{"EUR": 1.0 + r.Float64()}}
		}
		rep, err := Metrics(accts, Options{From: from, To: to, Interval: iv, Defs: d, Convert: conv, GroupBy: ByTier})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range rep.Series {
			for i, p := range s.Periods {
				if p.EndMRR != p.StartMRR+p.New+p.Expansion+p.Reactivation-p.Contraction-p.Churn {
					t.Fatalf("trial %d %s %s %s: identity broken: %+v", trial, s.Segment, s.Currency, p.Label, p)
				}
				if i > 0 && p.StartMRR != s.Periods[i-1].EndMRR {
					t.Fatalf("trial %d %s: start %d is not the previous end %d", trial, p.Label, p.StartMRR, s.Periods[i-1].EndMRR)
				}
				if p.GRR != nil && *p.GRR > 1 {
					t.Fatalf("trial %d %s: GRR %v > 100%%", trial, p.Label, *p.GRR)
				}
				if p.NRR != nil && p.GRR != nil && *p.NRR < *p.GRR {
					t.Fatalf("trial %d %s: NRR %v below GRR %v", trial, p.Label, *p.NRR, *p.GRR)
				}
				if p.New < 0 || p.Expansion < 0 || p.Contraction < 0 || p.Churn < 0 || p.Reactivation < 0 {
					t.Fatalf("trial %d %s: negative movement total %+v", trial, p.Label, p)
				}
			}
		}
	}
}

// Subscriptions summed by Schedule and turned into movements by Derive give the same
// metrics as a person entering, day by day, the MRR the running subscriptions add up to.
func TestSubscriptionsEqualHandEnteredMovements(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	days := 700
	for trial := 0; trial < 100; trial++ {
		var imported, hand []AccountHistory
		for a := 0; a < 1+r.Intn(10); a++ {
			var subs []Subscription
			for k := 0; k < 1+r.Intn(4); k++ {
				s := Subscription{AccountExternalID: "x", ID: string(rune('a' + k)), Currency: "USD", MRR: int64(1+r.Intn(20)) * 500,
					Start: base.AddDate(0, 0, r.Intn(days-100))}
				if r.Intn(3) > 0 {
					s.End = s.Start.AddDate(0, 0, 1+r.Intn(300))
				}
				subs = append(subs, s)
			}
			ms := movementsOf(t, subs)
			imported = append(imported, AccountHistory{Movements: ms})
			// By hand: walk the days, sum what runs, set MRR when it changes.
			var st State
			var byHand []Movement
			for d := 0; d < days+400; d++ {
				day := base.AddDate(0, 0, d)
				var v int64
				for _, s := range subs {
					if !day.Before(s.Start) && (s.End.IsZero() || day.Before(s.End)) {
						v += s.MRR
					}
				}
				if m, ok, err := SetMRR(st, v, "USD", day); err != nil {
					t.Fatal(err)
				} else if ok {
					byHand = append(byHand, m)
					st = st.Next(m)
				}
			}
			hand = append(hand, AccountHistory{Movements: byHand})
		}
		for _, d := range []Definitions{DefaultDefinitions, {ChurnAtPeriodEnd: true}} {
			o := Options{From: base, To: base.AddDate(3, 0, 0), Defs: d}
			a, err1 := Metrics(imported, o)
			b, err2 := Metrics(hand, o)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if len(a.Series) != len(b.Series) {
				t.Fatalf("trial %d: %d series vs %d", trial, len(a.Series), len(b.Series))
			}
			for i := range a.Series {
				for j, p := range a.Series[i].Periods {
					q := b.Series[i].Periods[j]
					if p.StartMRR != q.StartMRR || p.New != q.New || p.Expansion != q.Expansion || p.Contraction != q.Contraction ||
						p.Churn != q.Churn || p.Reactivation != q.Reactivation || p.EndMRR != q.EndMRR || p.CustomersEnd != q.CustomersEnd {
						t.Fatalf("trial %d %s: imported %+v\nby hand %+v", trial, p.Label, p, q)
					}
				}
			}
		}
	}
}

// A hand-worked subscription history: overlap, a gap, a return.
func TestScheduleHandWorked(t *testing.T) {
	d := func(s string) time.Time { return day(s) }
	subs := []Subscription{
		{ID: "s1", Currency: "USD", MRR: 10000, Start: d("2026-01-01"), End: d("2026-04-01")},
		{ID: "s2", Currency: "USD", MRR: 5000, Start: d("2026-02-15"), End: d("2026-04-01")}, // overlaps s1: summed
		{ID: "s3", Currency: "USD", MRR: 8000, Start: d("2026-06-01")},                       // after a two-month gap
	}
	ms := movementsOf(t, subs)
	want := []struct {
		at    string
		kind  Kind
		delta int64
	}{{"2026-01-01", New, 10000}, {"2026-02-15", Expansion, 5000}, {"2026-04-01", Churn, -15000}, {"2026-06-01", Reactivation, 8000}}
	if len(ms) != len(want) {
		t.Fatalf("movements %+v", ms)
	}
	for i, w := range want {
		if !ms[i].EffectiveAt.Equal(d(w.at)) || ms[i].Kind != w.kind || ms[i].Delta != w.delta {
			t.Errorf("movement %d = %s %s %d, want %+v", i, ms[i].EffectiveAt.Format("2006-01-02"), ms[i].Kind, ms[i].Delta, w)
		}
	}
	if _, err := Schedule([]Subscription{subs[0], {ID: "e", Currency: "EUR", MRR: 1, Start: d("2026-01-01")}}); err == nil {
		t.Error("mixed currencies accepted")
	}
	if v, err := MRRFromAmount(120000, "year", 2); err != nil || v != 20000 {
		t.Errorf("MRRFromAmount(1200.00 a year × 2) = %d %v, want 20000", v, err)
	}
}

// movementsOf is the USD movements of subs' schedule, failing the test when either
// step refuses them.
func movementsOf(t *testing.T, subs []Subscription) []Movement {
	t.Helper()
	pts, err := Schedule(subs)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := Derive(pts, "USD")
	if err != nil {
		t.Fatal(err)
	}
	return ms
}
