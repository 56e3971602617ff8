package portal

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
)

// listLimit bounds the ideas page; a board with more public ideas is searched.
const listLimit = 200

type listData struct {
	Requests []store.PortalRequest
	Sort     string
	Status   string
	Q        string
	Statuses []feedback.RequestStatus
	Limited  bool
}

// list is the ideas board: GET /portal?sort=votes|newest&status=…&q=….
func (p *Portal) list(w http.ResponseWriter, r *http.Request) error {
	me, err := p.viewer(r)
	if err != nil {
		return err
	}
	qv := r.URL.Query()
	d := listData{Sort: store.PortalSortVotes, Statuses: feedback.RequestStatuses}
	if qv.Get("sort") == store.PortalSortNewest {
		d.Sort = store.PortalSortNewest
	}
	f := store.PortalFilter{Sort: d.Sort, Limit: listLimit + 1}
	// An unknown status or an over-long search is ignored rather than refused: these
	// come from shared links, and an empty filter is the friendliest answer.
	if st := feedback.RequestStatus(qv.Get("status")); st.Valid() {
		d.Status = string(st)
		f.Statuses = []feedback.RequestStatus{st}
	}
	if q := strings.TrimSpace(qv.Get("q")); q != "" && utf8.RuneCountInString(q) <= 200 {
		d.Q, f.Q = q, q
	}
	if me != nil {
		f.PersonID = me.ID
	}
	d.Requests, err = p.Store.ListPortalRequests(r.Context(), f)
	if err != nil {
		return err
	}
	if len(d.Requests) > listLimit {
		d.Requests, d.Limited = d.Requests[:listLimit], true
	}
	return p.render(w, r, http.StatusOK, "list", "Ideas", "ideas", me, d)
}

// withQuery appends one query parameter to a URL (the host's sign-in link).
func withQuery(raw, key, value string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}
