package portal

import (
	"net/http"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
)

// roadmapShipped is how many recently shipped ideas the roadmap shows; the changelog
// has them all.
const roadmapShipped = 20

type roadmapColumn struct {
	Status   feedback.RequestStatus
	Heading  string
	Requests []store.PortalRequest
}

// roadmap shows public ideas by stage: GET /portal/roadmap.
func (p *Portal) roadmap(w http.ResponseWriter, r *http.Request) error {
	me, pid, err := p.viewerID(r)
	if err != nil {
		return err
	}
	cols := []roadmapColumn{
		{Status: feedback.Planned, Heading: "Planned"},
		{Status: feedback.InProgress, Heading: "In progress"},
		{Status: feedback.Shipped, Heading: "Shipped"},
	}
	for i := range cols {
		f := store.PortalFilter{Statuses: []feedback.RequestStatus{cols[i].Status}, PersonID: pid}
		if cols[i].Status == feedback.Shipped {
			f.Sort, f.Limit = store.PortalSortShipped, roadmapShipped
		}
		if cols[i].Requests, err = p.Store.ListPortalRequests(r.Context(), f); err != nil {
			return err
		}
	}
	return p.render(w, r, http.StatusOK, "roadmap", "Roadmap", "roadmap", me, cols)
}
