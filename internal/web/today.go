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
}

// todayPage: GET /today is the signed-in member's day and the team's home page: their
// open tasks (overdue first), their red accounts, their accounts overdue for contact
// and renewing in the next 90 days, and the inbox waiting. j/k move through the tasks
// and x completes the one in focus (static/app.js).
func (ui *Web) todayPage(w http.ResponseWriter, r *http.Request) error {
	me := router.From(r).Member
	d, err := ui.Store.TodayFor(r.Context(), me.ID, ui.now())
	if err != nil {
		return err
	}
	return ui.render(w, r, http.StatusOK, "today", "Today", "today", todayData{Today: d, Date: ui.now().UTC().Format(time.DateOnly)})
}
