package web

import (
	"errors"
	"net/http"

	"github.com/closeloop/closeloop/internal/jobs"
	"github.com/closeloop/closeloop/internal/router"
)

type jobsData struct {
	Jobs []jobs.Status
}

// jobsPage: GET /settings/jobs lists every background job: what it does, where and
// when it runs, how its last run went (with the error of a failed one), when it is
// next due and how much on-demand work waits.
func (ui *Web) jobsPage(w http.ResponseWriter, r *http.Request) error {
	if ui.Jobs == nil {
		return router.NotFound("jobs page")
	}
	st, err := ui.Jobs.Status(r.Context())
	if err != nil {
		return err
	}
	return ui.render(w, r, http.StatusOK, "settings_jobs", "Jobs", "settings", jobsData{Jobs: st})
}

// jobRun: POST /settings/jobs/{name}/run asks for a run as soon as an instance sees
// it (this one is woken at once); the page shows the outcome when it has finished.
func (ui *Web) jobRun(w http.ResponseWriter, r *http.Request) error {
	if ui.Jobs == nil {
		return router.NotFound("job")
	}
	name := r.PathValue("name")
	for _, j := range ui.Jobs.Jobs() {
		if j.Name == name && j.Schedule == nil && j.Scope == jobs.Cluster {
			return router.Errorf(http.StatusConflict, "%s runs only for queued work; there is nothing to run now", name)
		}
	}
	if err := ui.Jobs.Request(r.Context(), name); err != nil {
		if errors.Is(err, jobs.ErrUnknownJob) {
			return router.NotFound("job")
		}
		return err
	}
	ui.Log.Info("job run requested", "job", name, "by", router.From(r).Member.ID)
	ui.setFlash(w, "Asked "+name+" to run now; reload to see how it went.")
	return seeOther(w, r, "/settings/jobs")
}
