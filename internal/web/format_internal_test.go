package web

import (
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/revenue"
)

func TestFormatDates(t *testing.T) {
	if got := formatDate("2026-03-02"); got != "2 Mar 2026" {
		t.Errorf("%q", got)
	}
	if got := formatDate(""); got != "—" {
		t.Errorf("%q", got)
	}
	// Dates are shown in UTC whatever the zone of the value.
	tz := time.FixedZone("x", 10*3600)
	if got := formatDate(time.Date(2026, 3, 3, 5, 0, 0, 0, tz)); got != "2 Mar 2026" {
		t.Errorf("%q", got)
	}
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		10 * time.Second: "just now", 5 * time.Minute: "5 minutes ago", 3 * time.Hour: "3 hours ago",
		24 * time.Hour: "1 day ago", 40 * 24 * time.Hour: "40 days ago", 400 * 24 * time.Hour: "13 months ago",
		-48 * time.Hour: "in 2 days",
	} {
		if got := relTimeAt(now.Add(-d), now); got != want {
			t.Errorf("relTime(-%v) = %q, want %q", d, got, want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/accounts/x?tier=a": "/accounts/x?tier=a", "": "/accounts", "//evil.example": "/accounts",
		"/\\evil.example": "/accounts", "http://evil.example": "/accounts", "evil": "/accounts",
		"/a\nb": "/accounts", "/signin": "/accounts",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMRRChart(t *testing.T) {
	if c := mrrChart(nil, "USD", time.Now()); !c.Empty {
		t.Fatal("empty history should be an empty chart")
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	moves := []revenue.Movement{ // newest first, as the store returns them
		{Kind: revenue.Contraction, Delta: -20000, MRRAfter: 130000, Currency: "USD", EffectiveAt: now.AddDate(0, -1, 0)},
		{Kind: revenue.Expansion, Delta: 50000, MRRAfter: 150000, Currency: "USD", EffectiveAt: now.AddDate(0, -3, 0)},
		{Kind: revenue.New, Delta: 100000, MRRAfter: 100000, Currency: "USD", EffectiveAt: now.AddDate(0, -6, 0)},
	}
	c := mrrChart(moves, "USD", now)
	if c.Empty || len(c.Points) != 3 || len(c.XTicks) != 5 {
		t.Fatalf("chart %+v", c)
	}
	// Points go left to right in time, higher MRR higher up (smaller y).
	if !(c.Points[0].X < c.Points[1].X && c.Points[1].X < c.Points[2].X) {
		t.Errorf("points not in time order: %+v", c.Points)
	}
	if !(c.Points[1].Y < c.Points[2].Y && c.Points[2].Y < c.Points[0].Y) {
		t.Errorf("y order wrong: %+v", c.Points)
	}
	for _, p := range c.Points {
		if p.X < chartLeft || p.X > chartRight || p.Y < chartTop || p.Y > chartBottom {
			t.Errorf("point outside the plot: %+v", p)
		}
	}
	top := c.YTicks[len(c.YTicks)-1]
	if top.Y != chartTop || top.Label != "$2k" {
		t.Errorf("top tick %+v", top)
	}
	if c.XTicks[len(c.XTicks)-1].Label != "today" {
		t.Errorf("last x tick %q", c.XTicks[len(c.XTicks)-1].Label)
	}
}

func TestNiceStep(t *testing.T) {
	for v, want := range map[int64]int64{0: 100, 100: 25, 180000: 50000, 999: 250, 1000000: 250000, 7: 2} {
		if got := niceStep(v); got != want {
			t.Errorf("niceStep(%d) = %d, want %d", v, got, want)
		}
	}
}
