package portal

import (
	"errors"
	"net/http"

	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// publicRequest loads the request of the URL as the portal may show it. A private
// request is a 404 whatever else is true of it, so its existence is not revealed. A
// merged one yields the request it now lives in (merged=true), which must be public
// too; votes and counts are always those of that root.
func (p *Portal) publicRequest(r *http.Request, personID string) (pr store.PortalRequest, merged bool, err error) {
	load := func(id string) (store.PortalRequest, error) {
		pr, err := p.Store.GetPortalRequest(r.Context(), id, personID)
		if errors.Is(err, store.ErrNotFound) || err == nil && !pr.Public {
			return pr, router.NotFound("request")
		}
		return pr, err
	}
	if pr, err = load(r.PathValue("id")); err != nil || pr.RootID == pr.ID {
		return pr, false, err
	}
	pr, err = load(pr.RootID)
	return pr, true, err
}

type requestData struct {
	Request store.PortalRequest
}

// requestPage shows one public request: GET /portal/requests/{id}.
func (p *Portal) requestPage(w http.ResponseWriter, r *http.Request) error {
	me, pid, err := p.viewerID(r)
	if err != nil {
		return err
	}
	pr, merged, err := p.publicRequest(r, pid)
	if err != nil {
		return err
	}
	if merged {
		http.Redirect(w, r, "/portal/requests/"+pr.ID, http.StatusFound) // not 301: a merge can be undone
		return nil
	}
	return p.render(w, r, http.StatusOK, "request", pr.Title, "ideas", me, requestData{Request: pr})
}
