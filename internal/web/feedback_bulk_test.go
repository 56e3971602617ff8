package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/feedback"
)

// TestFeedbackBulkIsAllOrNothing: a selection with one stale id in the middle answers
// 404 naming it and leaves every other item exactly as it was, for each bulk action
// (issue 13, defect 6: archive used to archive the first item, tag to tag it then 500).
func TestFeedbackBulkIsAllOrNothing(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		c := e.signedIn("mia@example.com", auth.RoleMember)
		tags := e.taxonomy()
		acme := e.accountMRR("Acme", "strategic", 100000)
		ok1 := e.feedbackAt("first", acme.ID, 2).ID
		ok2 := e.feedbackAt("second", acme.ID, 1).ID
		rq := e.request("Both of them")
		ids := []string{ok1, "01MISSINGMISSINGMISSING000", ok2}
		for _, tc := range []struct {
			action string
			extra  url.Values
		}{
			{"archive", nil},
			{"tag", url.Values{"tag_id": {tags["Editor"].ID}}},
			{"link", url.Values{"request_id": {rq.ID}}},
		} {
			form := url.Values{"action": {tc.action}, "ids": ids}
			for k, v := range tc.extra {
				form[k] = v
			}
			r := e.Post("/feedback/bulk", form, c)
			if r.Code != http.StatusNotFound {
				t.Fatalf("%s: status %d, want 404; body:\n%s", tc.action, r.Code, clip(r.Text))
			}
			wantIn(t, r, "01MISSINGMISSINGMISSING000")
			for _, id := range []string{ok1, ok2} {
				got := mustItem(t, e.s, id)
				if got.Status != feedback.New || len(got.TagIDs) != 0 || len(got.RequestIDs) != 0 {
					t.Errorf("%s changed %s: status %s, tags %v, requests %v", tc.action, id, got.Status, got.TagIDs, got.RequestIDs)
				}
			}
		}
		// The same selection without the stale id goes through whole.
		r := e.Post("/feedback/bulk", url.Values{"action": {"tag"}, "ids": {ok1, ok2}, "tag_id": {tags["Editor"].ID}}, c)
		wantStatus(t, r, http.StatusSeeOther)
		for _, id := range []string{ok1, ok2} {
			if got := mustItem(t, e.s, id); got.Status != feedback.Triaged || len(got.TagIDs) != 1 {
				t.Errorf("tag %s: %+v", id, got)
			}
		}
	})
}
