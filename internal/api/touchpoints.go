package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

func (a *API) listTouchpoints(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "account_id", "member_id", "kind", "since", "cursor", "limit")
	if err != nil {
		return err
	}
	f := store.TouchpointFilter{AccountID: p.str("account_id"), MemberID: p.str("member_id")}
	if f.Kind, err = oneOfKind(p, "kind", account.TouchpointKinds); err != nil {
		return err
	}
	if f.Since, err = p.time("since"); err != nil {
		return err
	}
	return pageOf(w, r, p, "touchpoints", 50, &f, &f.Limit, &f.Before, a.Store.ListTouchpoints)
}

type touchpointInput struct {
	AccountID  string  `json:"account_id"`
	PersonID   string  `json:"person_id"`
	MemberID   string  `json:"member_id"` // optional: "" records an automated touchpoint
	Kind       string  `json:"kind"`
	Direction  string  `json:"direction"`
	OccurredAt *string `json:"occurred_at"` // default now
	Summary    string  `json:"summary"`
}

func (a *API) createTouchpoint(w http.ResponseWriter, r *http.Request) error {
	var in touchpointInput
	if _, err := decodeBody(w, r, &in); err != nil {
		return err
	}
	t := account.Touchpoint{AccountID: strings.TrimSpace(in.AccountID), PersonID: strings.TrimSpace(in.PersonID), MemberID: strings.TrimSpace(in.MemberID),
		Kind: account.TouchpointKind(in.Kind), Direction: account.Direction(in.Direction), Summary: in.Summary}
	if in.OccurredAt != nil {
		var err error
		if t.OccurredAt, err = parseTime(*in.OccurredAt); err != nil {
			return router.FieldErr("occurred_at", fmt.Sprintf("%q is neither a date (YYYY-MM-DD) nor an RFC 3339 timestamp", *in.OccurredAt))
		}
		if err := eventTime("occurred_at", t.OccurredAt, touchpointMaxAhead); err != nil {
			return err
		}
	}
	// The store trusts member_id to a foreign key, which would surface as a 500.
	if t.MemberID != "" {
		if _, err := refersTo(r.Context(), "member_id", "team member", t.MemberID, a.Store.GetMember); err != nil {
			return err
		}
	}
	if err := a.Store.CreateTouchpoint(r.Context(), &t); err != nil {
		return err
	}
	row, err := a.Store.GetTouchpoint(r.Context(), t.ID)
	if err != nil {
		return err
	}
	return created(w, "/api/v1/touchpoints/"+t.ID, row)
}
