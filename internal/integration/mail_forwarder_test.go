package integration

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Through the endpoint: a forward by a team member is the original sender's words,
// logged by that member; the same forward from someone not on the team is their own
// message (note and forwarded text), so a customer forwarding our mail is the author.
func TestEmailForwardCreditsByWhoForwarded(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "email", "mail-forward-rfc822.eml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, member    string // the member the lookup knows ("" none)
		author, by      string
		textHasOriginal bool
	}{
		{"team member forwards", "foo@example.com", "xxxx@xxxx.com", "member-1", true},
		{"customer forwards", "", "foo@example.com", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, testSecrets, func(d *Deps) {
				d.Members = func(_ context.Context, email string) (string, bool) {
					if tc.member != "" && strings.EqualFold(email, tc.member) {
						return "member-1", true
					}
					return "", false
				}
			})
			r := h.post("/hooks/email", "message/rfc822", raw, map[string]string{"X-Closeloop-Secret": testSecrets.Email})
			expectStatus(t, "post", r, http.StatusOK)
			got := h.rec.stored()
			if len(got) != 1 {
				t.Fatalf("%d items stored", len(got))
			}
			c := got[0]
			want(t, "author", c.Email, tc.author)
			want(t, "logged by", c.SubmittedBy, tc.by)
			if strings.Contains(c.Text, "Just attaching another PDF") != tc.textHasOriginal {
				t.Errorf("text %q", c.Text)
			}
			if !strings.Contains(c.Original, "Just attaching another PDF") {
				t.Errorf("the whole message is not kept beside the item: %q", c.Original)
			}
		})
	}
}
