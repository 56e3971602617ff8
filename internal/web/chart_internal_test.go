package web

import (
	"math"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/money"
	"github.com/closeloop/closeloop/internal/revenue"
)

// Issue 13, defect 1: an MRR near math.MaxInt64 overflowed the axis loop and spun
// forever. The axis must be laid out in a bounded number of steps for any value,
// including ones stored before amounts were bounded. The deadline only turns a
// regression into a failure instead of a hung test.
func TestChartAxisIsBoundedForAnyValue(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, v := range []int64{0, 1, 7, 999, money.MaxAmount, money.MaxAmount + 1, math.MaxInt64 / 2, math.MaxInt64 - 1, math.MaxInt64} {
		done := make(chan chart, 1)
		go func() {
			done <- mrrChart([]revenue.Movement{{Kind: revenue.New, Delta: v, MRRAfter: v, Currency: "USD", EffectiveAt: now.AddDate(0, -1, 0)}}, "USD", now)
		}()
		var c chart
		select {
		case c = <-done:
		case <-time.After(time.Minute):
			t.Fatalf("mrrChart with MRR %d did not return", v)
		}
		if n := len(c.YTicks); n < 5 || n > maxYTicks {
			t.Errorf("MRR %d: %d gridlines", v, n)
		}
		for i, tk := range c.YTicks {
			if tk.Y < chartTop || tk.Y > chartBottom || i > 0 && tk.Y >= c.YTicks[i-1].Y {
				t.Errorf("MRR %d: gridline %d at y=%v (lines %+v)", v, i, tk.Y, c.YTicks)
				break
			}
		}
		for _, p := range c.Points {
			if p.Y < chartTop || p.Y > chartBottom {
				t.Errorf("MRR %d: point outside the plot: %+v", v, p)
			}
		}
	}
	// The bar chart shares the axis.
	b := weeklyChart([]time.Time{now, now, now}, now)
	if len(b.YTicks) != 5 || b.YTicks[len(b.YTicks)-1].Label != "4" {
		t.Errorf("bar chart axis %+v", b.YTicks)
	}
}
