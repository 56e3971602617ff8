package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/billing"
	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/store"
)

type billingData struct {
	Configured bool
	HookURL    string
	AccountKey string
	Unmatched  []store.StripeCustomerRow
	Events     []store.StripeEventRow
	Errors     map[string]string // customer id → why linking failed
}

// StripeEvents are the event types to select for the Stripe endpoint.
var StripeEvents = []string{"customer.created", "customer.updated", "customer.subscription.created", "customer.subscription.updated",
	"customer.subscription.deleted", "invoice.paid", "invoice.payment_failed"}

func (d billingData) EventTypes() []string { return StripeEvents }

// billingPage: GET /settings/billing shows how Stripe is connected, the customers no
// account matched (their MRR waits for an admin to link them) and the latest events.
func (ui *Web) billingPage(w http.ResponseWriter, r *http.Request) error {
	return ui.renderBilling(w, r, http.StatusOK, nil)
}

func (ui *Web) renderBilling(w http.ResponseWriter, r *http.Request, status int, errors map[string]string) error {
	ctx := r.Context()
	d := billingData{Configured: len(ui.Config.Channels.Stripe) > 0, HookURL: strings.TrimSuffix(ui.Config.BaseURL, "/") + "/hooks/stripe",
		AccountKey: billing.AccountKey, Errors: errors}
	var err error
	if d.Unmatched, err = ui.Store.ListStripeUnmatched(ctx); err != nil {
		return err
	}
	if d.Events, err = ui.Store.ListStripeEvents(ctx, 50); err != nil {
		return err
	}
	return ui.render(w, r, status, "settings_billing", "Billing", "settings", d)
}

// billingLink: POST /settings/billing/customers/{id}/link makes a Stripe customer the
// account named by its external id (or closeloop id) and applies its MRR.
func (ui *Web) billingLink(w http.ResponseWriter, r *http.Request) error {
	customer := r.PathValue("id")
	ref := strings.TrimSpace(r.PostFormValue("account"))
	fail := func(msg string) error {
		return ui.renderBilling(w, r, http.StatusUnprocessableEntity, map[string]string{customer: msg})
	}
	if ref == "" {
		return fail("Enter the account's external id.")
	}
	a, err := ui.Store.GetAccountByExternalID(r.Context(), ref)
	if errors.Is(err, store.ErrNotFound) {
		a, err = ui.Store.GetAccount(r.Context(), ref)
	}
	if errors.Is(err, store.ErrNotFound) {
		return fail("No account has the external id " + ref + ".")
	}
	if err != nil {
		return err
	}
	if err := ui.Store.LinkStripeCustomer(r.Context(), customer, a.ID); err != nil {
		var fe *errs.FieldError
		if errors.As(err, &fe) {
			return fail(fe.Error())
		}
		return err
	}
	ui.setFlash(w, "Linked "+customer+" to "+a.Name+"; its MRR now comes from Stripe.")
	return seeOther(w, r, "/settings/billing")
}
