package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	acct "github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/feedback"
)

// TestCaptureConcurrently: 50 clients post feedback at once, so their captures share
// group commits (forced on for PostgreSQL too). 40 distinct idempotency keys (ten sent twice, by different clients)
// and five bad items: every good item is stored exactly once with its sender's person,
// the account of the sender's domain and the key's member; each repeated key answers
// 201 once and 200 with the same item once; each bad item answers 400 naming its
// field and fails no other.
func TestCaptureConcurrently(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.s.SetGroupCommit(true) // PostgreSQL defaults to a transaction per capture
		acme := acct.Account{ExternalID: "acme", Name: "Acme", Domain: "acme.com"}
		if err := e.s.CreateAccount(ctx, &acme); err != nil {
			t.Fatal(err)
		}
		m := auth.Member{Email: "cs@example.com", Name: "CS", Role: auth.RoleMember}
		if err := e.s.CreateMember(ctx, &m); err != nil {
			t.Fatal(err)
		}
		_, key, err := e.s.CreateAPIKey(ctx, "cs", []auth.Scope{auth.ScopeRead, auth.ScopeWrite}, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		const clients, bad = 50, 5
		type answer struct {
			status int
			item   feedback.Item
			field  string
		}
		answers := make([]answer, clients+bad)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range answers {
			body := map[string]any{"text": fmt.Sprintf("item %d", i%40), "email": fmt.Sprintf("p%d@acme.com", i%5)}
			idem := fmt.Sprintf("key-%d", i%40) // clients 40..49 repeat 0..9
			if i >= clients {
				body, idem = map[string]any{"text": "bad", "account_external_id": "nope"}, ""
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				b, _ := json.Marshal(body)
				req, _ := http.NewRequest("POST", e.url+"/api/v1/feedback", bytes.NewReader(b))
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", "application/json")
				if idem != "" {
					req.Header.Set("Idempotency-Key", idem)
				}
				<-start
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				defer res.Body.Close()
				var out struct {
					feedback.Item
					Error struct {
						Field string `json:"field"`
					} `json:"error"`
				}
				json.NewDecoder(res.Body).Decode(&out)
				answers[i] = answer{res.StatusCode, out.Item, out.Error.Field}
			}()
		}
		close(start)
		wg.Wait()

		byKey := map[int][]answer{}
		for i, a := range answers {
			if i >= clients {
				if a.status != http.StatusBadRequest {
					t.Errorf("bad item %d: %d %q, want 400 naming account_external_id", i, a.status, a.field)
				}
				continue
			}
			byKey[i%40] = append(byKey[i%40], a)
		}
		people := map[string]string{} // email → person id
		for k, as := range byKey {
			created := 0
			for _, a := range as {
				switch a.status {
				case http.StatusCreated:
					created++
				case http.StatusOK:
				default:
					t.Errorf("key-%d: status %d", k, a.status)
				}
				if a.item.ID != as[0].item.ID {
					t.Errorf("key-%d: items %s and %s, want one", k, a.item.ID, as[0].item.ID)
				}
			}
			if created != 1 {
				t.Errorf("key-%d: created %d times in %d answers, want once", k, created, len(as))
			}
			it := as[0].item
			email := fmt.Sprintf("p%d@acme.com", k%5)
			if it.AccountID != acme.ID || it.SubmittedBy != m.ID || it.PersonID == "" || it.Text != fmt.Sprintf("item %d", k) {
				t.Errorf("key-%d: %+v, want account %s, submitted by %s", k, it, acme.ID, m.ID)
			}
			if p, ok := people[email]; ok && p != it.PersonID {
				t.Errorf("%s is two people: %s and %s", email, p, it.PersonID)
			}
			people[email] = it.PersonID
		}
		if n, _ := e.s.CountFeedback(ctx, ""); n != 40 {
			t.Errorf("%d items stored, want 40", n)
		}
		if len(people) != 5 {
			t.Errorf("%d senders, want 5", len(people))
		}
	})
}
