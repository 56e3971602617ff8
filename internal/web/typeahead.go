package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/money"
	"github.com/closeloop/closeloop/internal/store"
)

// The type-ahead endpoints answer the pickers in static/app.js with JSON. The browser
// builds the list with textContent, so no server-made HTML is ever injected; forms
// still work without them because every handler also resolves typed text.

type hit struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Hint  string `json:"hint,omitempty"`
}

const typeaheadLimit = 10

func writeHits(w http.ResponseWriter, hits []hit) error {
	if hits == nil {
		hits = []hit{}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(hits)
}

// tagSearch: GET /tags/search?q= over every tag's full path.
func (ui *Web) tagSearch(w http.ResponseWriter, r *http.Request) error {
	tree, err := ui.loadTagTree(r.Context())
	if err != nil {
		return err
	}
	var hits []hit
	for _, n := range tree.search(r.URL.Query().Get("q"), typeaheadLimit, false) {
		hits = append(hits, hit{ID: n.ID, Label: n.Path})
	}
	return writeHits(w, hits)
}

// requestSearch: GET /requests/search?q= over the titles of unmerged requests;
// titles starting with the text first. exclude leaves one request out (a request
// cannot merge into itself).
func (ui *Web) requestSearch(w http.ResponseWriter, r *http.Request) error {
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	exclude := r.URL.Query().Get("exclude")
	reqs, err := ui.Store.ListRequests(r.Context(), store.RequestFilter{})
	if err != nil || q == "" {
		return writeHitsErr(w, err)
	}
	var first, rest []hit
	for _, rq := range reqs {
		t := strings.ToLower(rq.Title)
		if rq.ID == exclude || !strings.Contains(t, q) {
			continue
		}
		h := hit{ID: rq.ID, Label: rq.Title, Hint: rq.Status.Label()}
		if strings.HasPrefix(t, q) {
			first = append(first, h)
		} else {
			rest = append(rest, h)
		}
	}
	hits := append(first, rest...)
	if len(hits) > typeaheadLimit {
		hits = hits[:typeaheadLimit]
	}
	return writeHits(w, hits)
}

func writeHitsErr(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	return writeHits(w, nil)
}

// peopleSearch: GET /people/search?q= by name, email or account.
func (ui *Web) peopleSearch(w http.ResponseWriter, r *http.Request) error {
	ps, err := ui.Store.SearchPeople(r.Context(), r.URL.Query().Get("q"), typeaheadLimit)
	if err != nil {
		return err
	}
	var hits []hit
	for _, p := range ps {
		label := p.Name
		if label == "" {
			label = p.Email
		} else if p.Email != "" {
			label += " <" + p.Email + ">"
		}
		hits = append(hits, hit{ID: p.ID, Label: label, Hint: p.AccountName})
	}
	return writeHits(w, hits)
}

// accountSearch: GET /accounts/search?q= by name, domain or external id.
func (ui *Web) accountSearch(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		return writeHits(w, nil)
	}
	page, err := ui.Store.ListAccounts(r.Context(), store.AccountFilter{Q: q, Sort: "mrr", Desc: true, Limit: typeaheadLimit})
	if err != nil {
		return err
	}
	var hits []hit
	for _, a := range page.Items {
		h := hit{ID: a.ID, Label: a.Name, Hint: a.Tier}
		if a.Currency != "" {
			h.Hint += " · " + money.Format(a.MRR, a.Currency)
		}
		hits = append(hits, h)
	}
	return writeHits(w, hits)
}
