package billing_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/app"
	"github.com/closeloop/closeloop/internal/billing"
	"github.com/closeloop/closeloop/internal/config"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

const secret = "whsec_test"

// fixture reads one of Stripe's own objects (testdata/stripe, from stripe/openapi).
func fixture(t testing.TB, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/stripe/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

type hookEnv struct {
	t   testing.TB
	s   *store.Store
	srv *httptest.Server
	now time.Time
}

func newHookEnv(t testing.TB, s *store.Store) *hookEnv {
	cfg := config.Default()
	cfg.Channels.Stripe = []string{"whsec_old", secret}
	e := &hookEnv{t: t, s: s, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	s.Now = func() time.Time { return e.now }
	e.srv = httptest.NewServer(app.New(cfg, s, slog.New(slog.DiscardHandler)).Handler())
	t.Cleanup(e.srv.Close)
	return e
}

// event wraps a Stripe object in Stripe's event envelope (event.json's shape).
func (e *hookEnv) event(id, typ string, created time.Time, obj map[string]any) []byte {
	ev := fixture(e.t, "event")
	ev["id"], ev["type"], ev["created"] = id, typ, created.Unix()
	ev["data"] = map[string]any{"object": obj}
	b, _ := json.Marshal(ev)
	return b
}

// send posts a body signed at the env's now; it returns the status and "status" field.
func (e *hookEnv) send(body []byte, header string) (int, string) {
	e.t.Helper()
	if header == "" {
		header = billing.Header(e.now, body, secret)
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/hooks/stripe", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Stripe-Signature", header)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out struct{ Status, Error string }
	json.Unmarshal(b, &out)
	if resp.StatusCode != 200 {
		return resp.StatusCode, out.Error
	}
	return resp.StatusCode, out.Status
}

func (e *hookEnv) mustSend(body []byte, want string) {
	e.t.Helper()
	if code, status := e.send(body, ""); code != 200 || status != want {
		e.t.Fatalf("got %d %q, want 200 %q", code, status, want)
	}
}

// subscription is Stripe's fixture subscription with the scenario's fields.
func subscription(t testing.TB, id, customer, status string, unitAmount, qty int) map[string]any {
	s := fixture(t, "subscription")
	s["id"], s["customer"], s["status"] = id, customer, status
	item := s["items"].(map[string]any)["data"].([]any)[0].(map[string]any)
	item["quantity"] = qty
	item["price"].(map[string]any)["unit_amount"] = unitAmount
	return s
}

func (e *hookEnv) account(ext, domain string) account.Account {
	a := account.Account{Name: ext, ExternalID: ext, Domain: domain}
	if err := e.s.CreateAccount(context.Background(), &a); err != nil {
		e.t.Fatal(err)
	}
	return a
}

func (e *hookEnv) mrr(id string) (int64, string, account.Stage) {
	a, err := e.s.GetAccount(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return a.MRR, a.Currency, a.Stage
}

func (e *hookEnv) movements(id string) string {
	ms, err := e.s.ListMovements(context.Background(), store.MovementFilter{AccountID: id})
	if err != nil {
		e.t.Fatal(err)
	}
	var kinds []string
	for i := len(ms) - 1; i >= 0; i-- {
		kinds = append(kinds, string(ms[i].Kind))
	}
	return strings.Join(kinds, ",")
}

// The life of a subscription through signed webhook events built from Stripe's own
// fixture objects: matched by metadata, new → expansion → contraction → churn, each a
// movement by the revenue rules; a redelivery changes nothing; payment state follows
// the invoices.
func TestStripeSubscriptionLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newHookEnv(t, s)
		acme := e.account("acme-ext", "acme.com")
		cus := fixture(t, "customer")
		cus["id"], cus["email"], cus["metadata"] = "cus_acme", "billing@elsewhere.org", map[string]any{billing.AccountKey: "acme-ext"}
		e.mustSend(e.event("evt_c1", "customer.created", e.now.Add(-time.Hour), cus), "applied")

		t0 := e.now.Add(-50 * time.Minute)
		created := e.event("evt_s1", "customer.subscription.created", t0, subscription(t, "sub_1", "cus_acme", "active", 2000, 1))
		e.mustSend(created, "applied")
		if mrr, cur, _ := e.mrr(acme.ID); mrr != 2000 || cur != "USD" {
			t.Fatalf("after created: %d %s", mrr, cur)
		}
		e.mustSend(created, "duplicate") // Stripe retrying after a lost 200
		e.mustSend(e.event("evt_s2", "customer.subscription.updated", t0.Add(time.Minute), subscription(t, "sub_1", "cus_acme", "active", 2000, 5)), "applied")
		e.mustSend(e.event("evt_s3", "customer.subscription.updated", t0.Add(2*time.Minute), subscription(t, "sub_1", "cus_acme", "active", 2000, 3)), "applied")
		if mrr, _, _ := e.mrr(acme.ID); mrr != 6000 {
			t.Fatalf("after 5 then 3 seats: %d", mrr)
		}
		inv := fixture(t, "invoice")
		inv["id"], inv["customer"] = "in_1", "cus_acme"
		e.mustSend(e.event("evt_i1", "invoice.payment_failed", t0.Add(3*time.Minute), inv), "applied")
		if st, _, err := s.PaymentState(context.Background(), acme.ID); err != nil || st != "failed" {
			t.Fatalf("payment state after a failure: %q %v", st, err)
		}
		e.mustSend(e.event("evt_i2", "invoice.paid", t0.Add(4*time.Minute), inv), "applied")
		e.mustSend(e.event("evt_i0", "invoice.payment_failed", t0.Add(-time.Minute), inv), "stale") // older, delivered late
		if st, _, _ := s.PaymentState(context.Background(), acme.ID); st != "ok" {
			t.Fatalf("payment state after paid: %q", st)
		}
		evs, err := s.Events(context.Background(), 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var payments []string
		for _, ev := range evs {
			if strings.HasPrefix(ev.Kind, "payment.") && ev.AccountID == acme.ID {
				payments = append(payments, ev.Kind)
			}
		}
		if strings.Join(payments, ",") != store.EventPaymentFailed+","+store.EventPaymentSucceeded {
			t.Fatalf("payment events in the log: %v", payments)
		}
		e.mustSend(e.event("evt_s4", "customer.subscription.deleted", t0.Add(5*time.Minute), subscription(t, "sub_1", "cus_acme", "active", 2000, 3)), "applied")
		if mrr, _, stage := e.mrr(acme.ID); mrr != 0 || stage != account.Churned {
			t.Fatalf("after deleted: %d %s", mrr, stage)
		}
		if got := e.movements(acme.ID); got != strings.Join([]string{string(revenue.New), string(revenue.Expansion), string(revenue.Contraction), string(revenue.Churn)}, ",") {
			t.Fatalf("movements: %s", got)
		}
		e.mustSend(e.event("evt_x", "charge.succeeded", e.now, map[string]any{"id": "ch_1"}), "ignored")
	})
}

// Stripe does not deliver in order: the same events shuffled end in the same MRR.
func TestStripeOutOfOrderEndsTheSame(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newHookEnv(t, s)
		t0 := e.now.Add(-time.Hour)
		build := func(prefix, cus string) [][]byte {
			return [][]byte{
				e.event(prefix+"1", "customer.subscription.created", t0, subscription(t, "sub_"+prefix, cus, "trialing", 3000, 1)),
				e.event(prefix+"2", "customer.subscription.updated", t0.Add(time.Minute), subscription(t, "sub_"+prefix, cus, "active", 3000, 1)),
				e.event(prefix+"3", "customer.subscription.updated", t0.Add(2*time.Minute), subscription(t, "sub_"+prefix, cus, "active", 3000, 4)),
			}
		}
		inOrder, shuffled := e.account("cus_inorder", ""), e.account("cus_shuffled", "")
		for _, b := range build("a", "cus_inorder") {
			e.send(b, "")
		}
		evs := build("b", "cus_shuffled")
		for _, i := range []int{2, 0, 1} {
			e.send(evs[i], "")
		}
		m1, _, _ := e.mrr(inOrder.ID)
		m2, _, _ := e.mrr(shuffled.ID)
		if m1 != 12000 || m2 != 12000 {
			t.Fatalf("in order %d, shuffled %d; want 12000 both", m1, m2)
		}
	})
}

// Forged, stale and malformed deliveries store nothing; an unmatched customer is
// kept and listed, and linking it applies its MRR.
func TestStripeRefusalsAndUnmatched(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		e := newHookEnv(t, s)
		ctx := context.Background()
		body := e.event("evt_f", "customer.subscription.created", e.now, subscription(t, "sub_f", "cus_nobody", "active", 2000, 1))
		for name, header := range map[string]string{
			"forged":     billing.Header(e.now, body, "whsec_attacker"),
			"stale":      billing.Header(e.now.Add(-10*time.Minute), body, secret),
			"unsigned":   "none",
			"other body": billing.Header(e.now, []byte(`{"id":"evt_other"}`), secret),
		} {
			if code, _ := e.send(body, header); code != 400 {
				t.Errorf("%s: %d, want 400", name, code)
			}
		}
		if code, _ := e.send([]byte(`not json`), ""); code != 400 {
			t.Errorf("not JSON: %d", code)
		}
		if un, err := s.ListStripeUnmatched(ctx); err != nil || len(un) != 0 {
			t.Fatalf("refused deliveries stored something: %+v %v", un, err)
		}
		// The old secret still verifies during a rotation.
		if code, status := e.send(body, billing.Header(e.now, body, "whsec_old")); code != 200 || status != "unmatched" {
			t.Fatalf("signed with the old secret: %d %q", code, status)
		}
		un, err := s.ListStripeUnmatched(ctx)
		if err != nil || len(un) != 1 || un[0].ID != "cus_nobody" || un[0].MRR != 2000 || un[0].Currency != "USD" {
			t.Fatalf("unmatched: %+v %v", un, err)
		}
		// Matched later by email domain when the customer event arrives.
		a := e.account("globex", "globex.com")
		cus := fixture(t, "customer")
		cus["id"], cus["email"] = "cus_nobody", "ap@Globex.com"
		e.mustSend(e.event("evt_c", "customer.updated", e.now, cus), "applied")
		if mrr, _, _ := e.mrr(a.ID); mrr != 2000 {
			t.Fatalf("after the customer matched by domain: %d", mrr)
		}
		// An admin links another one by hand.
		b := e.account("initech", "")
		e.mustSend(e.event("evt_g", "customer.subscription.created", e.now, subscription(t, "sub_g", "cus_ghost", "active", 700, 2)), "unmatched")
		if err := s.LinkStripeCustomer(ctx, "cus_ghost", b.ID); err != nil {
			t.Fatal(err)
		}
		if mrr, _, _ := e.mrr(b.ID); mrr != 1400 {
			t.Fatalf("after linking: %d", mrr)
		}
		if err := s.LinkStripeCustomer(ctx, "cus_none", b.ID); err == nil {
			t.Fatal("linking an unknown customer: no error")
		}
	})
}
