package web

import (
	"math"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/money"
	"github.com/closeloop/closeloop/internal/revenue"
)

// The revenue charts are laid out here and drawn by templates/revenue.html, like the
// account MRR chart: every label passes through html/template, and colours are SVG
// attributes (the Content-Security-Policy forbids inline styles).

// barSeg is one kind's part of a period's bar.
type barSeg struct {
	X, Y, W, H float64
	Fill       string
	Title      string
}

// movementsChart stacks each period's gains above zero and losses below it, with the
// net movement as a line.
type movementsChart struct {
	W, H, Left, Right, Top, Bottom float64
	ZeroY                          float64
	Segs                           []barSeg
	Net                            string // SVG path data
	NetPoints                      []chartPoint
	YTicks, XTicks                 []tick
	Summary                        string
	Legend                         []legendItem
}

type legendItem struct{ Label, Fill string }

// kindStyle is each kind's colour and label, gains first.
var kindStyle = []struct {
	Kind        revenue.Kind
	Label, Fill string
	gain        bool
	amount      func(p revenue.Period) int64
}{
	{revenue.New, "New", "#2f6fec", true, func(p revenue.Period) int64 { return p.New }},
	{revenue.Expansion, "Expansion", "#36a3a0", true, func(p revenue.Period) int64 { return p.Expansion }},
	{revenue.Reactivation, "Reactivation", "#8e6ce6", true, func(p revenue.Period) int64 { return p.Reactivation }},
	{revenue.Contraction, "Contraction", "#f0a04b", false, func(p revenue.Period) int64 { return p.Contraction }},
	{revenue.Churn, "Churn", "#d9534f", false, func(p revenue.Period) int64 { return p.Churn }},
}

const (
	revW      = 760
	revH      = 260
	revLeft   = 72
	revRight  = 744
	revTop    = 14
	revBottom = 226
)

// xLabels thins period labels so at most about twelve are drawn.
func xLabels(ps []revenue.Period, center func(i int) float64) []tick {
	every := (len(ps) + 11) / 12
	var out []tick
	for i, p := range ps {
		if i%every != 0 {
			continue
		}
		x := center(i)
		out = append(out, tick{X: x, Y: revBottom, Y2: revBottom + 5, TX: x, TY: revBottom + 20, Label: p.Label})
	}
	return out
}

func shortSigned(v float64, cur string) string {
	if v < 0 {
		return "−" + money.Short(saturate(-v), cur)
	}
	return money.Short(saturate(v), cur)
}

func buildMovementsChart(ps []revenue.Period, cur string) movementsChart {
	c := movementsChart{W: revW, H: revH, Left: revLeft, Right: revRight, Top: revTop, Bottom: revBottom}
	for _, k := range kindStyle {
		c.Legend = append(c.Legend, legendItem{k.Label, k.Fill})
	}
	if len(ps) == 0 {
		return c
	}
	var gainMax, lossMax int64
	for _, p := range ps {
		gainMax = max(gainMax, p.New+p.Expansion+p.Reactivation)
		lossMax = max(lossMax, p.Contraction+p.Churn)
	}
	step := float64(niceStep(max(gainMax, lossMax)))
	up := math.Max(1, math.Ceil(float64(gainMax)/step))
	down := math.Ceil(float64(lossMax) / step)
	if up+down > maxYTicks {
		// Keep at most maxYTicks lines by widening the step.
		f := math.Ceil((up + down) / maxYTicks)
		step *= f
		up, down = math.Max(1, math.Ceil(float64(gainMax)/step)), math.Ceil(float64(lossMax)/step)
	}
	top, bottom := up*step, -down*step
	y := func(v float64) float64 {
		return round1(revTop + (top-v)/(top-bottom)*(revBottom-revTop))
	}
	c.ZeroY = y(0)
	for v := bottom; v <= top+step/2; v += step {
		c.YTicks = append(c.YTicks, tick{X: revLeft, Y: y(v), TX: revLeft - 8, TY: y(v) + 4, Label: shortSigned(v, cur)})
	}
	band := float64(revRight-revLeft) / float64(len(ps))
	center := func(i int) float64 { return round1(revLeft + band*(float64(i)+0.5)) }
	bw := round1(math.Max(2, band*0.6))
	var net strings.Builder
	for i, p := range ps {
		x := round1(center(i) - bw/2)
		var gain, loss float64
		for _, k := range kindStyle {
			v := float64(k.amount(p))
			if v == 0 {
				continue
			}
			var y0, y1 float64
			if k.gain {
				y0, y1 = y(gain+v), y(gain)
				gain += v
			} else {
				y0, y1 = y(-loss), y(-loss-v)
				loss += v
			}
			sign := "+"
			if !k.gain {
				sign = "−"
			}
			c.Segs = append(c.Segs, barSeg{X: x, Y: y0, W: bw, H: round1(math.Max(0.5, y1-y0)), Fill: k.Fill,
				Title: p.Label + " · " + k.Label + " " + sign + money.Format(k.amount(p), cur)})
		}
		ny := y(float64(p.Net))
		if i == 0 {
			net.WriteString("M" + num(center(i)) + "," + num(ny))
		} else {
			net.WriteString(" L" + num(center(i)) + "," + num(ny))
		}
		c.NetPoints = append(c.NetPoints, chartPoint{X: center(i), Y: ny, Title: p.Label + " · Net " + money.FormatSigned(p.Net, cur) + " · End MRR " + money.Format(p.EndMRR, cur)})
	}
	c.Net = net.String()
	c.XTicks = xLabels(ps, center)
	last := ps[len(ps)-1]
	c.Summary = "MRR movements per period, " + ps[0].Label + " to " + last.Label + "; in " + last.Label + " net " + money.FormatSigned(last.Net, cur) + "."
	return c
}

// retentionChart draws NRR and GRR over time as two lines on a percent axis.
type retentionChart struct {
	W, H, Left, Right, Top, Bottom float64
	Lines                          []retLine
	YTicks, XTicks                 []tick
	RefY                           float64 // the 100% line
	Summary                        string
	Empty                          bool
}

type retLine struct {
	Label, Stroke, Path string
	Points              []chartPoint
}

func buildRetentionChart(ps []revenue.Period) retentionChart {
	c := retentionChart{W: revW, H: revH, Left: revLeft, Right: revRight, Top: revTop, Bottom: revBottom}
	lo, hi := 1.0, 1.0
	have := false
	for _, p := range ps {
		for _, r := range []*float64{p.NRR, p.GRR} {
			if r != nil {
				lo, hi, have = math.Min(lo, *r), math.Max(hi, *r), true
			}
		}
	}
	if !have {
		c.Empty = true
		return c
	}
	lo = math.Max(-1, math.Floor(lo*10)/10-0.1)
	hi = math.Min(10, math.Ceil(hi*10)/10+0.1)
	step := 0.1
	for (hi-lo)/step > maxYTicks {
		step *= 2
	}
	lo = math.Floor(lo/step) * step
	y := func(v float64) float64 { return round1(revBottom - (v-lo)/(hi-lo)*(revBottom-revTop)) }
	for v := lo; v <= hi+1e-9; v += step {
		c.YTicks = append(c.YTicks, tick{X: revLeft, Y: y(v), TX: revLeft - 8, TY: y(v) + 4, Label: strconv.FormatFloat(math.Round(v*100), 'f', 0, 64) + "%"})
	}
	c.RefY = y(1)
	band := float64(revRight-revLeft) / float64(len(ps))
	center := func(i int) float64 { return round1(revLeft + band*(float64(i)+0.5)) }
	for _, l := range []struct {
		label, stroke string
		get           func(revenue.Period) *float64
	}{{"NRR", "#2f6fec", func(p revenue.Period) *float64 { return p.NRR }}, {"GRR", "#d9534f", func(p revenue.Period) *float64 { return p.GRR }}} {
		line := retLine{Label: l.label, Stroke: l.stroke}
		var b strings.Builder
		move := true
		for i, p := range ps {
			r := l.get(p)
			if r == nil {
				move = true // a gap where the ratio is undefined
				continue
			}
			cmd := " L"
			if move {
				cmd = " M"
			}
			move = false
			b.WriteString(cmd + num(center(i)) + "," + num(y(*r)))
			line.Points = append(line.Points, chartPoint{X: center(i), Y: y(*r), Title: p.Label + " · " + l.label + " " + pct(r)})
		}
		line.Path = strings.TrimSpace(b.String())
		c.Lines = append(c.Lines, line)
	}
	c.XTicks = xLabels(ps, center)
	last := ps[len(ps)-1]
	c.Summary = "Net and gross revenue retention per period; in " + last.Label + " NRR " + pct(last.NRR) + ", GRR " + pct(last.GRR) + "."
	return c
}

// pct formats a ratio as a percentage with one decimal, "—" when undefined.
func pct(r *float64) string {
	if r == nil {
		return "—"
	}
	return strconv.FormatFloat(*r*100, 'f', 1, 64) + "%"
}

// times formats a ratio such as the quick ratio: "1.40", "—" when undefined.
func times(r *float64) string {
	if r == nil {
		return "—"
	}
	return strconv.FormatFloat(*r, 'f', 2, 64)
}
