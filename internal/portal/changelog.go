package portal

import (
	"net/http"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
)

// changelog lists shipped public ideas with their release notes, newest first:
// GET /portal/changelog.
func (p *Portal) changelog(w http.ResponseWriter, r *http.Request) error {
	me, pid, err := p.viewerID(r)
	if err != nil {
		return err
	}
	list, err := p.Store.ListPortalRequests(r.Context(), store.PortalFilter{
		Statuses: []feedback.RequestStatus{feedback.Shipped}, Sort: store.PortalSortShipped, PersonID: pid, Limit: 500,
	})
	if err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "changelog", "Changelog", "changelog", me, list)
}
