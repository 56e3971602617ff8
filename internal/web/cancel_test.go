package web_test

import (
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/webtest"
)

// TestCancellationSurveyEndToEnd drives the whole path over HTTP on both dialects:
// the host product mints a link through the API, the customer opens the hosted page
// and answers, and the answer shows on the account page, as a churn_reason feedback
// item, and in the churn-reasons report weighted by the account's churned MRR.
// Tampered links and a second answer through one link are refused; an XSS payload in
// the text and in a team label renders inert.
func TestCancellationSurveyEndToEnd(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		viewer := e.signedIn("viewer@example.com", auth.RoleViewer)
		admin := e.signedIn("admin@example.com", auth.RoleAdmin)
		_, key, err := e.s.CreateAPIKey(e.ctx, "host", []auth.Scope{auth.ScopeRead, auth.ScopeWrite}, "")
		if err != nil {
			t.Fatal(err)
		}
		bearer := "Authorization: Bearer " + key
		acct := e.account(account.Account{ExternalID: "host-42", Name: "Globex", Domain: "globex.com", Tier: "standard", Stage: account.Active})
		other := e.account(account.Account{Name: "Initech", Tier: "standard", Stage: account.Active})
		now := e.s.Now()
		if _, _, err := e.s.SetMRR(e.ctx, acct.ID, 12000, "USD", now.Add(-40*24*time.Hour), "start"); err != nil {
			t.Fatal(err)
		}
		// The billing system records the cancel a day before the customer answers.
		if _, _, err := e.s.SetMRR(e.ctx, acct.ID, 0, "USD", now.Add(-24*time.Hour), "cancelled"); err != nil {
			t.Fatal(err)
		}

		// A team label with markup must render as text on the page and in the report.
		form := url.Values{"reasons": {"too_expensive: <img src=x onerror=alert(1)> Too dear\nother: Something else"}, "liked": {"features: The features\nsupport: Support"}}
		wantStatus(t, e.Post("/settings/cancellation", form, admin), 303)

		r := e.doJSON("POST", "/api/v1/cancellations/links", `{"account_external_id": "host-42", "email": "pat@globex.com"}`, bearer)
		wantStatus(t, r, 201)
		var link struct {
			URL       string `json:"url"`
			AccountID string `json:"account_id"`
		}
		if err := json.Unmarshal([]byte(r.Text), &link); err != nil || link.AccountID != acct.ID {
			t.Fatalf("link %s: %v", r.Text, err)
		}
		u, err := url.Parse(link.URL)
		if err != nil || !strings.HasPrefix(u.Path, "/cancel/") {
			t.Fatalf("url %q", link.URL)
		}
		page := u.Path

		// Tampered links: a changed signature, and another account's payload under this
		// signature. Neither shows the form or records anything.
		r = e.doJSON("POST", "/api/v1/cancellations/links", `{"account_id": "`+other.ID+`"}`, bearer)
		wantStatus(t, r, 201)
		var otherLink struct {
			URL string `json:"url"`
		}
		json.Unmarshal([]byte(r.Text), &otherLink)
		tok := strings.TrimPrefix(page, "/cancel/")
		p, sig, _ := strings.Cut(tok, ".")
		op, _, _ := strings.Cut(strings.TrimPrefix(otherLink.URL[strings.Index(otherLink.URL, "/cancel/"):], "/cancel/"), ".")
		flipped := []byte(sig)
		flipped[0] ^= 1
		if flipped[0] == '.' || flipped[0] > 'z' {
			flipped[0] = 'A'
		}
		for _, bad := range []string{"/cancel/" + p + "." + string(flipped), "/cancel/" + op + "." + sig, "/cancel/" + p} {
			r = e.Get(bad, nil)
			wantStatus(t, r, 400)
			wantIn(t, r, "not valid")
			wantNotIn(t, r, `name="reason"`)
			r = e.Post(bad, url.Values{"reason": {"too_expensive"}}, nil)
			wantStatus(t, r, 400)
		}

		r = e.Get(page, nil)
		wantStatus(t, r, 200)
		wantIn(t, r, `value="too_expensive"`, `value="features"`, "&lt;img src=x onerror=alert(1)&gt; Too dear")
		wantNotIn(t, r, "<img src=x")

		// No reason: the form again, with what was typed kept.
		r = e.Post(page, url.Values{"liked": {"support"}, "text": {"kept"}}, nil)
		wantStatus(t, r, 422)
		wantIn(t, r, "Choose why you are leaving", ">kept</textarea>", `value="support" checked`)

		xss := `<script>alert("x")</script> Too pricey for us`
		r = e.Post(page, url.Values{"reason": {"too_expensive"}, "liked": {"features", "support"}, "text": {xss}}, nil)
		wantStatus(t, r, 200)
		wantIn(t, r, "Thank you", "&lt;script&gt;")
		wantNotIn(t, r, "<script>")
		// The link answers once.
		r = e.Post(page, url.Values{"reason": {"other"}}, nil)
		wantStatus(t, r, 409)
		wantIn(t, r, "already answered", "Too dear")
		r = e.Get(page, nil)
		wantStatus(t, r, 200)
		wantIn(t, r, "already answered")
		wantNotIn(t, r, `name="reason"`)

		// The account page shows the reason and the text, inert.
		r = e.Get("/accounts/"+acct.ID, viewer)
		wantStatus(t, r, 200)
		wantIn(t, r, `id="cancel-reason">&lt;img src=x onerror=alert(1)&gt; Too dear</strong>`, "The features, Support",
			"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Too pricey for us", "pat@globex.com")
		wantNotIn(t, r, `<script>alert("x")`, "<img src=x")

		// A churn_reason feedback item of the account, source cancellation.
		items, _, err := e.s.ListFeedback(e.ctx, store.FeedbackFilter{AccountID: acct.ID, Kind: feedback.ChurnReason})
		if err != nil || len(items) != 1 || items[0].Source != feedback.SourceCancellation || items[0].Text != xss {
			t.Fatalf("feedback %+v %v", items, err)
		}

		// The report: one cancellation in this month, weighted by the 120.00 churned.
		month := now.UTC().Format("2006-01")
		r = e.Get("/revenue/churn-reasons", viewer)
		wantStatus(t, r, 200)
		wantIn(t, r, "<td>"+month+"</td>", "&lt;img src=x onerror=alert(1)&gt; Too dear", "$120", "100.0%")
		wantNotIn(t, r, "<img src=x")
		r = e.doJSON("GET", "/api/v1/metrics/churn-reasons", "", bearer)
		wantStatus(t, r, 200)
		var rep struct {
			Months []struct {
				Month, Reason          string
				Cancellations, Churned int
				ChurnedMRR             int64 `json:"churned_mrr"`
			}
		}
		if err := json.Unmarshal([]byte(r.Text), &rep); err != nil || len(rep.Months) != 1 {
			t.Fatalf("report %s: %v", r.Text, err)
		}
		if m := rep.Months[0]; m.Month != month || m.Reason != "too_expensive" || m.Cancellations != 1 || m.Churned != 1 || m.ChurnedMRR != 12000 {
			t.Errorf("report row %+v", m)
		}
		r = e.Get("/revenue/churn-reasons.csv", viewer)
		wantStatus(t, r, 200)
		wantIn(t, r, month+",too_expensive,<img src=x onerror=alert(1)> Too dear,USD,1,1,120.00,1.0000")
	})
}

// doJSON sends a JSON body ("" for none) with extra headers.
func (e *env) doJSON(method, path, body string, headers ...string) resp {
	e.t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	webtest.SetHeaders(r, headers...)
	return webtest.Send(e.H, r)
}
