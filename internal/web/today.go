package web

import (
	"net/http"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

type todayData struct {
	store.Today
	Date string // YYYY-MM-DD, today: tasks due before it are overdue
	// Soon and Later split the deadlines at 30 days.
	Soon, Later []store.Deadline
	// Digest says whether the member gets the daily email digest (members and
	// admins only: viewers own no accounts); DigestOff that they turned it off.
	Digest, DigestOff bool
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
	td := todayData{Today: d, Date: ui.now().UTC().Format(time.DateOnly), Digest: me.Role.AtLeast(auth.RoleMember)}
	if td.DigestOff, err = ui.Store.DigestOptedOut(r.Context(), me.ID); err != nil {
		return err
	}
	for _, dl := range d.Deadlines {
		if dl.Days <= 30 {
			td.Soon = append(td.Soon, dl)
		} else {
			td.Later = append(td.Later, dl)
		}
	}
	return ui.render(w, r, http.StatusOK, "today", "Today", "today", td)
}

// todayDigest: POST /today/digest turns the signed-in member's daily email digest
// off (digest=off) or on.
func (ui *Web) todayDigest(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 1<<10); err != nil {
		return err
	}
	off := r.PostFormValue("digest") == "off"
	if err := ui.Store.SetDigestOptOut(r.Context(), router.From(r).Member.ID, off); err != nil {
		return err
	}
	if off {
		ui.setFlash(w, "You will not get the daily digest email.")
	} else {
		ui.setFlash(w, "You will get your day by email each morning.")
	}
	return seeOther(w, r, "/today")
}
