package api

import (
	"context"
	"net/http"

	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// onboardingReport is the funnel and the range it covers.
type onboardingReport struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Steps int    `json:"steps_configured"`
	health.Funnel
}

func (a *API) onboardingFunnel(w http.ResponseWriter, r *http.Request) error {
	p, err := queryParams(r, "from", "to")
	if err != nil {
		return err
	}
	rep := onboardingReport{}
	if rep.From, err = p.date("from"); err != nil {
		return err
	}
	if rep.To, err = p.date("to"); err != nil {
		return err
	}
	if rep.From != "" && rep.To != "" && rep.To < rep.From {
		return router.FieldErr("to", "is before from")
	}
	set, err := a.Store.ActivationSettings(r.Context())
	if err != nil {
		return err
	}
	rep.Steps = len(set.Steps)
	if rep.Funnel, err = a.Store.OnboardingFunnel(r.Context(), rep.From, rep.To); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rep)
}

// onboarding is an account's onboarding: before it has any, no step done by anyone.
func (a *API) onboarding(ctx context.Context, accountID string) (*store.AccountActivation, error) {
	act, err := a.Store.AccountActivation(ctx, accountID)
	if act == nil {
		act = &store.AccountActivation{Steps: []store.StepStatus{}, People: []store.PersonActivation{}}
	}
	return act, err
}
