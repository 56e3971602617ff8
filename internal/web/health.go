package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// healthView is the account page's health section.
type healthView struct {
	store.AccountHealth
	Chart chart
	// Headline is the sentence that answers "why did it move?": the change since the
	// day a week ago, else since the day a month ago.
	Headline string
	Rows     []healthRow
	Tasks    []store.Task // open, soonest due first
	// Profile says which profile of the weight set scored today: "onboarding stage
	// profile", "strategic tier profile", "default tier profile".
	Profile string
}

// profileLabel reads a result's profile ("stage:at_risk") for people.
func profileLabel(p string) string {
	mode, name, ok := strings.Cut(p, ":")
	if !ok {
		return ""
	}
	if mode == health.ByStage && name != "default" {
		name = account.Stage(name).Label()
	}
	return name + " " + mode + " profile"
}

// loadHealth reads the account's health and lays out its chart.
func (ui *Web) loadHealth(ctx context.Context, id string) (healthView, error) {
	h, err := ui.Store.AccountHealth(ctx, id, ui.now())
	if err != nil {
		return healthView{}, err
	}
	v := healthView{AccountHealth: h, Chart: healthChart(h.History, ui.now()), Headline: h.SinceWeek}
	if h.Current != nil {
		v.Rows = healthRows(h.Current.Parts)
		v.Profile = profileLabel(h.Current.Profile)
	}
	if v.Tasks, err = ui.Store.ListTasks(ctx, store.TaskFilter{AccountID: id, Status: "open", Limit: 50}); err != nil {
		return healthView{}, err
	}
	if v.Headline == "" {
		v.Headline = h.SinceMonth
	}
	return v, nil
}

// healthChart draws the recorded scores of the last 90 days on a fixed 0–100 axis, a
// day's point titled with its score and band; days without a record are skipped.
func healthChart(hist []store.HealthPoint, now time.Time) chart {
	c := chart{W: chartW, H: chartH, Left: chartLeft, Right: chartRight, Top: chartTop, Bottom: chartBottom,
		EmptyText: "No health history yet: the score is recorded once a day."}
	if len(hist) == 0 {
		c.Empty = true
		return c
	}
	today := now.UTC().Truncate(24 * time.Hour)
	const span = 89 // days from the left edge to today
	x := func(day string) float64 {
		t, err := time.Parse("2006-01-02", day)
		if err != nil {
			return chartRight
		}
		back := float64(today.Sub(t) / (24 * time.Hour))
		return round1(chartLeft + (span-back)/span*(chartRight-chartLeft))
	}
	var line strings.Builder
	for i, p := range hist {
		cmd := " L"
		if i == 0 {
			cmd = "M"
		}
		y := yPos(float64(p.Score), 100)
		line.WriteString(cmd + num(x(p.Day)) + "," + num(y))
		c.Points = append(c.Points, chartPoint{X: x(p.Day), Y: y, Title: p.Day + ": " + strconv.Itoa(p.Score) + " (" + p.Band + ")"})
	}
	c.Line = strings.TrimSpace(line.String())
	c.Area = c.Line + " V" + num(yPos(0, 100)) + " H" + num(x(hist[0].Day)) + " Z"
	for _, v := range []float64{0, 40, 70, 100} {
		c.YTicks = append(c.YTicks, tick{X: chartLeft, Y: yPos(v, 100), TX: chartLeft - 8, TY: yPos(v, 100) + 4, Label: num(v)})
	}
	for _, back := range []int{89, 60, 30, 7, 0} {
		d := today.AddDate(0, 0, -back)
		label := d.Format("2 Jan")
		if back == 0 {
			label = "today"
		}
		xx := x(d.Format("2006-01-02"))
		c.XTicks = append(c.XTicks, tick{X: xx, Y: chartBottom, Y2: chartBottom + 5, TX: xx, TY: chartBottom + 20, Label: label})
	}
	c.NowX = chartRight
	last := hist[len(hist)-1]
	c.Summary = "Health score over the last 90 days, " + strconv.Itoa(len(hist)) + " days recorded; now " + strconv.Itoa(last.Score) + ", " + last.Band + "."
	return c
}

// healthRow is one component as the breakdown table shows it.
type healthRow struct {
	Name, Label, Detail string
	Missing             bool
	Score               int
	Weight              string // effective, "25%"
	Contribution        string // points, "10.4"
}

var healthLabels = map[string]string{
	health.Usage: "Usage trend", health.Seats: "Seats in use", health.Activate: "Activation", health.Contact: "Contact vs cadence",
	health.NPS: "NPS", health.Support: "Support load", health.Payment: "Payment", health.Pulse: "Owner's pulse", health.GoalPart: "Customer's goal",
}

func healthRows(parts []health.Part) []healthRow {
	out := make([]healthRow, 0, len(parts))
	for _, p := range parts {
		out = append(out, healthRow{Name: p.Name, Label: healthLabels[p.Name], Detail: p.Detail, Missing: p.Missing, Score: p.Score,
			Weight: strconv.Itoa(int(p.Weight*100+0.5)) + "%", Contribution: strconv.FormatFloat(p.Contribution, 'f', 1, 64)})
	}
	return out
}

// healthPulse records the owner's 1–5 pulse and note from the account page.
func (ui *Web) healthPulse(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return router.Errorf(http.StatusRequestEntityTooLarge, "the form is too large: keep the note under 2,000 characters")
	}
	pulse, err := strconv.Atoi(r.PostFormValue("pulse"))
	if err != nil {
		return errs.Invalid("pulse", "choose from 1 to 5, or clear it")
	}
	if err := ui.Store.SetHealthPulse(r.Context(), id, router.From(r).Member.ID, pulse, strings.TrimSpace(r.PostFormValue("note"))); err != nil {
		return err
	}
	ui.setFlash(w, "Pulse saved.")
	return seeOther(w, r, "/accounts/"+url.PathEscape(id)+"#health")
}
