package api

import (
	"net/http"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/health"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// registerOnboarding: the onboarding funnel, an account's onboarding (under
// /onboarding/accounts/{id}, as health is, since /accounts/{id}/… is ambiguous with
// /accounts/by-external-id/{external_id}) and the key steps.
func (a *API) registerOnboarding(rt *router.Router) {
	rt.API("GET /api/v1/metrics/onboarding", auth.ScopeRead, a.onboardingFunnel)
	rt.API("GET /api/v1/onboarding/accounts/{id}", auth.ScopeRead, a.accountOnboarding)
	rt.API("GET /api/v1/settings/onboarding", auth.ScopeRead, a.getOnboardingSettings)
	// The steps decide which accounts count as activated for everyone, and turn on
	// the onboarding signal rules.
	rt.API("PUT /api/v1/settings/onboarding", auth.ScopeAdmin, a.putOnboardingSettings)
}

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

func (a *API) accountOnboarding(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := a.Store.GetAccount(r.Context(), id); err != nil {
		return notFound(err, "account")
	}
	act, err := a.Store.AccountActivation(r.Context(), id)
	if err != nil {
		return err
	}
	if act == nil {
		act = &store.AccountActivation{Steps: []store.StepStatus{}, People: []store.PersonActivation{}}
	}
	return writeJSON(w, http.StatusOK, act)
}

func (a *API) getOnboardingSettings(w http.ResponseWriter, r *http.Request) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	set, err := a.Store.ActivationSettings(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, set)
}

// putOnboardingSettings replaces every key step.
func (a *API) putOnboardingSettings(w http.ResponseWriter, r *http.Request) error {
	var in health.ActivationSettings
	if _, err := decodeBody(w, r, &in); err != nil {
		return err
	}
	if err := a.Store.PutActivationSettings(r.Context(), in); err != nil {
		return err
	}
	return a.getOnboardingSettings(w, r)
}
