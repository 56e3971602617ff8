package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/cancel"
	"github.com/closeloop/closeloop/internal/cancelpage"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// registerCancellations: the cancellation survey — answers, the hosted page's signed
// links, its option lists, and the churn-reasons report.
func (a *API) registerCancellations(rt *router.Router) {
	rt.API("GET /api/v1/cancellations", auth.ScopeRead, a.listCancellations)
	rt.API("POST /api/v1/cancellations", auth.ScopeWrite, a.createCancellation)
	// Minting a link resolves (and may create) the person, like capturing feedback.
	rt.API("POST /api/v1/cancellations/links", auth.ScopeWrite, a.createCancelLink)
	rt.API("GET /api/v1/metrics/churn-reasons", auth.ScopeRead, a.churnReasons)
	rt.API("GET /api/v1/settings/cancellation", auth.ScopeRead, a.getCancelSettings)
	rt.API("PUT /api/v1/settings/cancellation", auth.ScopeAdmin, a.putCancelSettings)
}

func (a *API) listCancellations(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "account_id", "limit", "cursor")
	if err != nil {
		return err
	}
	f := store.CancellationFilter{AccountID: p.str("account_id")}
	if f.Limit, f.Cursor, err = p.page(50, "cancellations"); err != nil {
		return err
	}
	cs, next, err := a.Store.ListCancellations(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(cs, encodeCursor("cancellations", next)))
}

// cancelWho is whose answer or link it is.
type cancelWho struct {
	AccountID         string `json:"account_id"`
	AccountExternalID string `json:"account_external_id"`
	Email             string `json:"email"`
	PersonExternalID  string `json:"person_external_id"`
	Name              string `json:"name"`
}

func (c cancelWho) who() store.CancelWho {
	return store.CancelWho{AccountID: c.AccountID, AccountExternalID: c.AccountExternalID, Email: c.Email, PersonExternalID: c.PersonExternalID, Name: c.Name}
}

type cancellationInput struct {
	AccountID         string   `json:"account_id"`
	AccountExternalID string   `json:"account_external_id"`
	Email             string   `json:"email"`
	PersonExternalID  string   `json:"person_external_id"`
	Name              string   `json:"name"`
	Reason            string   `json:"reason"`
	Liked             []string `json:"liked"`
	Text              string   `json:"text"`
	CancelledAt       *string  `json:"cancelled_at"`
}

func (a *API) createCancellation(w http.ResponseWriter, r *http.Request) error {
	var in cancellationInput
	if _, err := decodeBody(w, r, &in); err != nil {
		return err
	}
	ci := cancel.Input{Reason: in.Reason, Liked: in.Liked, Text: in.Text}
	if in.CancelledAt != nil {
		t, err := time.Parse(time.RFC3339, *in.CancelledAt)
		if err != nil {
			return router.FieldErr("cancelled_at", "is not an RFC 3339 timestamp")
		}
		if err := eventTime("cancelled_at", t, captureMaxAhead); err != nil {
			return err
		}
		ci.CancelledAt = t
	}
	who := cancelWho{AccountID: in.AccountID, AccountExternalID: in.AccountExternalID, Email: in.Email, PersonExternalID: in.PersonExternalID, Name: in.Name}
	c, err := a.Store.AddCancellation(r.Context(), who.who(), cancel.ChannelAPI, "", ci)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

// cancelLink is a minted hosted-page link.
type cancelLink struct {
	URL       string    `json:"url"`
	AccountID string    `json:"account_id"`
	PersonID  string    `json:"person_id,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
}

// createCancelLink signs a link to the hosted page for an account (and person), for
// the host product to redirect to when a customer cancels.
func (a *API) createCancelLink(w http.ResponseWriter, r *http.Request) error {
	var in cancelWho
	if _, err := decodeBody(w, r, &in); err != nil {
		return err
	}
	accountID, personID, err := a.Store.CancelLinkSubject(r.Context(), in.who())
	if err != nil {
		return err
	}
	key, err := a.Store.SigningKey(r.Context(), cancel.SecretKey)
	if err != nil {
		return err
	}
	l := cancel.Link{AccountID: accountID, PersonID: personID, Issued: a.Store.Now().UTC().Truncate(time.Second)}
	return writeJSON(w, http.StatusCreated, cancelLink{URL: cancelpage.URL(strings.TrimRight(a.Config.BaseURL, "/"), key, l),
		AccountID: accountID, PersonID: personID, ExpiresAt: l.Issued.Add(cancel.LinkTTL)})
}

func (a *API) churnReasons(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "from", "to", "currency_mode")
	if err != nil {
		return err
	}
	v, conv, err := a.Store.RevenueView(r.Context(), p.str)
	if err != nil {
		return err
	}
	rep, err := a.Store.ChurnReasons(r.Context(), v.From, v.To, conv)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rep)
}

func (a *API) getCancelSettings(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	set, err := a.Store.CancellationSettings(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, set)
}

// putCancelSettings replaces both lists.
func (a *API) putCancelSettings(w http.ResponseWriter, r *http.Request) error {
	var in cancel.Settings
	if _, err := decodeBody(w, r, &in); err != nil {
		return err
	}
	if err := a.Store.PutCancellationSettings(r.Context(), in); err != nil {
		return err
	}
	return a.getCancelSettings(w, r)
}
