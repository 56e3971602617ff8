package integration

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// Automated mail is answered 200 "ignored", stores no feedback, and is in the log an
// admin reads, with why and from whom; a handshake-free vendor event ignored for being
// an agent's is logged the same way.
func TestIgnoredDeliveriesAreLogged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		h := newHarness(t, testSecrets, func(d *Deps) { d.Inbound = s })
		for _, name := range []string{"mail-bounce-multi-1.eml", "mail-x-autoreply.eml"} {
			raw, err := os.ReadFile(filepath.Join("testdata", "email", name))
			if err != nil {
				t.Fatal(err)
			}
			r := h.post("/hooks/email", "message/rfc822", raw, map[string]string{"X-Closeloop-Secret": testSecrets.Email})
			expectStatus(t, name, r, http.StatusOK)
			if !strings.Contains(r.body, `"ignored"`) {
				t.Fatalf("%s: %s", name, r.body)
			}
		}
		want(t, "stored", len(h.rec.stored()), 0)
		got, err := s.ListIgnored(h.t.Context(), "email", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 {
			t.Fatalf("ignored log: %+v", got)
		}
		for _, d := range got {
			if d.Reason == "" || d.Detail == "" || d.Source != "email" {
				t.Errorf("entry without its reason or sender: %+v", d)
			}
		}
		if other, _ := s.ListIgnored(h.t.Context(), "slack", 10); len(other) != 0 {
			t.Errorf("slack filter: %+v", other)
		}
	})
}
