package web

import (
	"strconv"
	"time"
)

// barChart is a weekly count chart laid out in Go and drawn by templates/_bars.html,
// in the style of the MRR chart (same size, grid and colours).
type barChart struct {
	Empty       bool
	W, H        int
	Left, Right float64
	Bottom      float64
	Bars        []bar
	YTicks      []tick
	XTicks      []tick
	Summary     string
}

type bar struct {
	X, Y, W, H float64
	Title      string
}

const trendWeeks = 26

// weekStart is the Monday 00:00 UTC of t's week.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	d := (int(t.Weekday()) + 6) % 7
	return time.Date(t.Year(), t.Month(), t.Day()-d, 0, 0, 0, 0, time.UTC)
}

// weeklyChart counts evidence (feedback and votes) per week over the last 26 weeks,
// the current week last.
func weeklyChart(times []time.Time, now time.Time) barChart {
	c := barChart{W: chartW, H: chartH, Left: chartLeft, Right: chartRight, Bottom: chartBottom}
	first := weekStart(now).AddDate(0, 0, -7*(trendWeeks-1))
	counts := make([]int, trendWeeks)
	total := 0
	for _, t := range times {
		if t.Before(first) {
			continue
		}
		i := int(t.Sub(first) / (7 * 24 * time.Hour))
		if i >= 0 && i < trendWeeks {
			counts[i]++
			total++
		}
	}
	if total == 0 {
		c.Empty = true
		return c
	}
	maxV := 0
	for _, n := range counts {
		maxV = max(maxV, n)
	}
	ticks, top := yAxis(int64(maxV))
	slot := float64(chartRight-chartLeft) / trendWeeks
	y := func(v int64) float64 { return yPos(float64(v), top) }
	for _, v := range ticks {
		c.YTicks = append(c.YTicks, tick{X: chartLeft, Y: yPos(v, top), TX: chartLeft - 8, TY: yPos(v, top) + 4, Label: strconv.FormatInt(saturate(v), 10)})
	}
	for i, n := range counts {
		wk := first.AddDate(0, 0, 7*i)
		x := round1(chartLeft + float64(i)*slot + slot*0.15)
		b := bar{X: x, W: round1(slot * 0.7), Y: y(int64(n)), Title: "Week of " + wk.Format("2 Jan 2006") + ": " + plural(n, "piece") + " of evidence"}
		b.H = round1(chartBottom - b.Y)
		c.Bars = append(c.Bars, b)
		if i%4 == 1 || i == trendWeeks-1 {
			label := wk.Format("2 Jan")
			if i == trendWeeks-1 {
				label = "this week"
			}
			cx := round1(x + b.W/2)
			c.XTicks = append(c.XTicks, tick{X: cx, Y: chartBottom, Y2: chartBottom + 5, TX: cx, TY: chartBottom + 20, Label: label})
		}
	}
	c.Summary = "Evidence per week over the last 26 weeks: " + plural(total, "piece") + " in all, " +
		strconv.Itoa(counts[trendWeeks-1]) + " this week."
	return c
}
