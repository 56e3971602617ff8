package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/store"
)

// usageChart draws an account's daily active users as a line over the days of u,
// each day's point titled with its users and events.
func usageChart(u store.AccountUsage) chart {
	c := chart{W: chartW, H: chartH, Left: chartLeft, Right: chartRight, Top: chartTop, Bottom: chartBottom,
		EmptyText: "No product usage yet. Point any Segment or RudderStack client at this server's /v1 with an ingest API key as the write key."}
	if u.Events == 0 || len(u.Days) == 0 {
		c.Empty = true
		return c
	}
	var maxV int64
	for _, d := range u.Days {
		maxV = max(maxV, int64(d.ActiveUsers))
	}
	ticks, top := yAxis(max(maxV, 1))
	n := len(u.Days)
	x := func(i int) float64 {
		if n == 1 {
			return chartLeft
		}
		return round1(chartLeft + float64(i)/float64(n-1)*(chartRight-chartLeft))
	}
	var line strings.Builder
	for i, d := range u.Days {
		cmd := " L"
		if i == 0 {
			cmd = "M"
		}
		y := yPos(float64(d.ActiveUsers), top)
		line.WriteString(cmd + num(x(i)) + "," + num(y))
		c.Points = append(c.Points, chartPoint{X: x(i), Y: y, Title: d.Day + ": " + plural(d.ActiveUsers, "active user") + ", " + plural(d.Events, "event")})
	}
	c.Line = strings.TrimSpace(line.String())
	c.Area = c.Line + " V" + num(yPos(0, top)) + " H" + num(x(0)) + " Z"
	for _, v := range ticks {
		c.YTicks = append(c.YTicks, tick{X: chartLeft, Y: yPos(v, top), TX: chartLeft - 8, TY: yPos(v, top) + 4, Label: num(v)})
	}
	for _, i := range []int{0, n / 4, n / 2, 3 * n / 4, n - 1} {
		label := u.Days[i].Day
		if t, err := time.Parse("2006-01-02", label); err == nil {
			label = t.Format("2 Jan")
		}
		if i == n-1 {
			label = "today"
		}
		c.XTicks = append(c.XTicks, tick{X: x(i), Y: chartBottom, Y2: chartBottom + 5, TX: x(i), TY: chartBottom + 20, Label: label})
	}
	c.NowX = x(n - 1)
	c.Summary = "Daily active users over the last " + strconv.Itoa(n) + " days: " + plural(u.ActiveUsers, "user") + " and " +
		plural(u.Events, "event") + " in all; at most " + strconv.FormatInt(maxV, 10) + " on one day."
	return c
}
