package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/cancel"
	"github.com/closeloop/closeloop/internal/cancelpage"
	"github.com/closeloop/closeloop/internal/store"
)

func (a *API) listCancellations(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "account_id", "limit", "cursor")
	if err != nil {
		return err
	}
	f := store.CancellationFilter{AccountID: p.str("account_id")}
	return pageOf(w, r, p, "cancellations", 50, &f, &f.Limit, &f.Cursor, a.Store.ListCancellations)
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
	at, err := happenedAt("cancelled_at", in.CancelledAt)
	if err != nil {
		return err
	}
	ci := cancel.Input{Reason: in.Reason, Liked: in.Liked, Text: in.Text, CancelledAt: at}
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
