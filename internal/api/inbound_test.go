package api_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/closeloop/closeloop/internal/feedback"
)

// An item a help desk sent for an organization that is not an account yet is listed
// for admins, and only for them; once attached it is gone from the list.
func TestPendingAccountsForAdmins(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		it, _, err := e.s.Capture(ctx, feedback.Capture{Text: "Please add SSO", Source: feedback.SourceZendesk, ExternalID: "35436"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.s.AddPendingAccount(ctx, it.ID, "zendesk", "acct-globex"); err != nil {
			t.Fatal(err)
		}
		if r := e.do(e.read, "GET", "/api/v1/inbound/pending-accounts", nil); r.Status != 403 {
			t.Fatalf("read key: %d %s", r.Status, r.Body)
		}
		r := e.do(e.admin, "GET", "/api/v1/inbound/pending-accounts", nil)
		if r.Status != 200 {
			t.Fatalf("admin: %d %s", r.Status, r.Body)
		}
		var got struct {
			Items []struct {
				FeedbackID        string `json:"feedback_id"`
				Source            string `json:"source"`
				AccountExternalID string `json:"account_external_id"`
			} `json:"items"`
		}
		if err := json.Unmarshal(r.Body, &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Items) != 1 || got.Items[0].FeedbackID != it.ID || got.Items[0].Source != "zendesk" || got.Items[0].AccountExternalID != "acct-globex" {
			t.Fatalf("items %+v", got.Items)
		}
		if r := e.do(e.admin, "GET", "/api/v1/inbound/pending-accounts?limit=5", nil); r.Status != 400 {
			t.Errorf("unknown parameter: %d %s", r.Status, r.Body)
		}
	})
}
