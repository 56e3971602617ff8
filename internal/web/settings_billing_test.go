package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/billing"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// Settings → Billing lists the Stripe customers no account matched, escaped, and an
// admin links one by the account's external id, which applies its MRR.
func TestBillingSettingsLinksAnUnmatchedCustomer(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		admin := e.signedIn("ada@example.com", auth.RoleAdmin)
		member := e.signedIn("mo@example.com", auth.RoleMember)
		a := account.Account{Name: "Initech", ExternalID: "initech"}
		storetest.Must(t, e.s.CreateAccount(e.ctx, &a))
		var sub billing.Subscription
		if err := json.Unmarshal([]byte(`{"id":"sub_9","customer":"cus_9","status":"active","currency":"usd"}`), &sub); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(-time.Hour)
		if _, err := e.s.StripeCustomer(e.ctx, billing.Event{ID: "evt_c9", Type: "customer.created", Created: at.Unix()},
			billing.Customer{ID: "cus_9", Name: "<script>alert(1)</script>", Email: "x@nowhere.test"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.StripeSubscription(e.ctx, billing.Event{ID: "evt_9", Type: "customer.subscription.created", Created: at.Unix()}, sub, 4200); err != nil {
			t.Fatal(err)
		}
		r := e.Get("/settings/billing", admin)
		wantIn(t, r, `id="cus-cus_9"`, "$42", "&lt;script&gt;alert(1)&lt;/script&gt;", "customer.subscription.created", "unmatched")
		wantNotIn(t, r, "<script>alert(1)")

		r = e.Post("/settings/billing/customers/cus_9/link", url.Values{"account": {"nonesuch"}}, admin)
		wantStatus(t, r, http.StatusUnprocessableEntity)
		wantIn(t, r, "No account has the external id nonesuch.")
		wantStatus(t, e.Post("/settings/billing/customers/cus_9/link", url.Values{"account": {"initech"}}, member), http.StatusForbidden)
		wantStatus(t, e.Post("/settings/billing/customers/cus_9/link", url.Values{"account": {"initech"}}, admin), http.StatusSeeOther)
		got, err := e.s.GetAccount(e.ctx, a.ID)
		if err != nil || got.MRR != 4200 || got.Currency != "USD" {
			t.Fatalf("after linking: %+v %v", got.Account, err)
		}
		wantIn(t, e.Get("/settings/billing", admin), "None: every Stripe customer")
		wantNotIn(t, e.Get("/accounts/"+a.ID, admin), "payment failed")
		if _, err := e.s.StripeInvoice(e.ctx, billing.Event{ID: "evt_i9", Type: "invoice.payment_failed", Created: at.Unix() + 60},
			billing.Invoice{ID: "in_9", Customer: "cus_9", AmountDue: 4200, Currency: "usd"}, "failed"); err != nil {
			t.Fatal(err)
		}
		wantIn(t, e.Get("/accounts/"+a.ID, admin), "payment failed")
	})
}
