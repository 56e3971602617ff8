package web

import (
	"github.com/closeloop/closeloop/internal/money"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/revenue"
)

// chart is an MRR step chart laid out in Go and drawn by templates/_chart.html. It is
// computed here and not drawn with string concatenation so that every label still
// passes through html/template's escaping.
type chart struct {
	Empty          bool
	W, H           int
	Left, Right    float64
	Top, Bottom    float64
	Line, Area     string // SVG path data: numbers and commands only
	YTicks, XTicks []tick
	Points         []chartPoint
	Summary        string // for screen readers
	NowX           float64
	CurrencyLabel  string
	EmptyText      string // what an empty chart says; "" for the MRR chart's own words
}

// tick is a gridline or axis mark at (X, Y) with its label drawn at (TX, TY).
type tick struct {
	X, Y, Y2, TX, TY float64
	Label            string
}

type chartPoint struct {
	X, Y  float64
	Title string
}

const (
	chartW      = 760
	chartH      = 220
	chartLeft   = 64
	chartRight  = 728
	chartTop    = 14
	chartBottom = 186
)

// mrrChart draws MRR after each movement as a step line from the first movement to
// now. moves come newest first, as ListMovements returns them.
func mrrChart(moves []revenue.Movement, currency string, now time.Time) chart {
	c := chart{W: chartW, H: chartH, Left: chartLeft, Right: chartRight, Top: chartTop, Bottom: chartBottom}
	if len(moves) == 0 {
		c.Empty = true
		return c
	}
	asc := make([]revenue.Movement, len(moves))
	for i, m := range moves {
		asc[len(moves)-1-i] = m
	}
	if currency == "" {
		currency = asc[len(asc)-1].Currency
	}
	t0 := asc[0].EffectiveAt
	t1 := now
	if last := asc[len(asc)-1].EffectiveAt; last.After(t1) {
		t1 = last
	}
	// A little room before the first movement shows the jump from nothing.
	span := t1.Sub(t0)
	if span < 30*24*time.Hour {
		span = 30 * 24 * time.Hour
	}
	t0 = t0.Add(-span / 20)
	span = t1.Sub(t0)

	var maxV int64
	for _, m := range asc {
		maxV = max(maxV, m.MRRAfter)
	}
	ticks, top := yAxis(maxV)

	x := func(t time.Time) float64 {
		return round1(chartLeft + float64(t.Sub(t0))/float64(span)*(chartRight-chartLeft))
	}
	y := func(v int64) float64 { return yPos(float64(v), top) }

	var line strings.Builder
	base := y(0)
	line.WriteString("M" + num(x(t0)) + "," + num(base))
	for _, m := range asc {
		xm := x(m.EffectiveAt)
		line.WriteString(" H" + num(xm) + " V" + num(y(m.MRRAfter)))
		c.Points = append(c.Points, chartPoint{X: xm, Y: y(m.MRRAfter),
			Title: formatDate(m.EffectiveAt) + ": " + string(m.Kind) + " " + money.FormatSigned(m.Delta, m.Currency) + " → " + money.Format(m.MRRAfter, m.Currency)})
	}
	c.NowX = x(t1)
	line.WriteString(" H" + num(c.NowX))
	c.Line = line.String()
	c.Area = c.Line + " V" + num(base) + " Z"

	for _, v := range ticks {
		c.YTicks = append(c.YTicks, tick{X: chartLeft, Y: yPos(v, top), TX: chartLeft - 8, TY: yPos(v, top) + 4, Label: money.Short(saturate(v), currency)})
	}
	long := span > 120*24*time.Hour
	const nx = 5
	for i := 0; i < nx; i++ {
		t := t0.Add(time.Duration(float64(span) * (0.04 + 0.96*float64(i)/float64(nx-1))))
		label := t.UTC().Format("2 Jan")
		switch {
		case i == nx-1 && !t1.After(now):
			label = "today"
		case long:
			label = t.UTC().Format("Jan 2006")
		}
		c.XTicks = append(c.XTicks, tick{X: x(t), Y: chartBottom, Y2: chartBottom + 5, TX: x(t), TY: chartBottom + 20, Label: label})
	}
	lastM := asc[len(asc)-1]
	c.Summary = "MRR history: " + strconv.Itoa(len(asc)) + " movements since " + formatDate(asc[0].EffectiveAt) +
		"; now " + money.Format(lastM.MRRAfter, lastM.Currency) + "."
	c.CurrencyLabel = currency
	return c
}

// maxYTicks bounds the gridlines of a value axis. niceStep makes the step at least a
// quarter of the largest value, so an axis has five lines (six when rounding the step
// down leaves the value just above four steps); the cap is a second guarantee.
const maxYTicks = 8

// yAxis lays out a value axis from 0 to at least maxV: the gridline values and the
// axis top. It never adds a step until a bound is passed and computes in float64, so
// no stored value, however large (the money bound came after some data may have been
// written), can overflow int64 or make the loop run long: at most maxYTicks lines.
func yAxis(maxV int64) (ticks []float64, top float64) {
	step := float64(niceStep(maxV))
	n := max(4, math.Ceil(float64(maxV)/step))
	n = min(n, maxYTicks-1)
	for i := 0; i <= int(n); i++ {
		ticks = append(ticks, float64(i)*step)
	}
	return ticks, n * step
}

// yPos is the SVG y of value v on an axis topped at top.
func yPos(v, top float64) float64 {
	return round1(chartBottom - v/top*(chartBottom-chartTop))
}

// saturate converts an axis value to int64 for labels, holding values beyond int64.
func saturate(v float64) int64 {
	if v >= math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(v)
}

// niceStep picks a round gridline step (1, 2, 2.5 or 5 × 10ⁿ) giving about four lines.
func niceStep(maxV int64) int64 {
	if maxV <= 0 {
		return 100
	}
	raw := float64(maxV) / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if f*mag >= raw {
			s := int64(f * mag)
			if s < 1 {
				s = 1
			}
			return s
		}
	}
	return int64(10 * mag)
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
