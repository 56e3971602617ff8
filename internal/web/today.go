package web

import (
	"net/http"
	"time"

	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

type todayData struct {
	store.Today
	Date string // YYYY-MM-DD, today: tasks due before it are overdue
	// Soon and Later split the deadlines at 30 days.
	Soon, Later []store.Deadline
}

// todayPage: GET /today is the signed-in member's day and the team's home page: their
// open tasks (overdue first), their red accounts, their accounts overdue for contact
// and their renewals and notice deadlines in the next 30 and 90 days, their goals at
// their check day, and the inbox waiting. j/k move through the tasks
// and x completes the one in focus (static/app.js).
func (ui *Web) todayPage(w http.ResponseWriter, r *http.Request) error {
	me := router.From(r).Member
	d, err := ui.Store.TodayFor(r.Context(), me.ID, ui.now())
	if err != nil {
		return err
	}
	td := todayData{Today: d, Date: ui.now().UTC().Format(time.DateOnly)}
	for _, dl := range d.Deadlines {
		if dl.Days <= 30 {
			td.Soon = append(td.Soon, dl)
		} else {
			td.Later = append(td.Later, dl)
		}
	}
	return ui.render(w, r, http.StatusOK, "today", "Today", "today", td)
}
