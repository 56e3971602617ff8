package integration

import (
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// The email corpus: real messages from public mail-parsing test suites (sources and
// licences in testdata/email/README.md), each with what closeloop must make of it in
// testdata/email/expected.json. The expectations were written by reading each
// message; -update-email-corpus rewrites the file from the parser for review, and the
// diff is what a reviewer reads.

var updateEmailCorpus = flag.Bool("update-email-corpus", false, "rewrite testdata/email/expected.json from the parser")

type emailExpectation struct {
	Feedback    bool   `json:"feedback"`
	Reason      string `json:"reason,omitempty"` // why it is not feedback
	Text        string `json:"text,omitempty"`
	Email       string `json:"email,omitempty"`
	Name        string `json:"name,omitempty"`
	ForwardedBy string `json:"forwarded_by,omitempty"`
	Account     string `json:"account,omitempty"` // external id of the account the item is attached to
}

// emailCorpusAccounts exist before the end-to-end run: senders at their domains are
// attached to them (the Windows-1251, EUC-KR and Shift_JIS senders among them), and
// the auto-replies and bounces from those domains must attach nothing.
var emailCorpusAccounts = []account.Account{
	{Name: "Auracom", ExternalID: "auracom", Domain: "auracom.net", Tier: "standard"},
	{Name: "37signals", ExternalID: "37signals", Domain: "37signals.com", Tier: "standard"},
	{Name: "Docomo", ExternalID: "docomo", Domain: "docomo.ne.jp", Tier: "standard"},
	{Name: "Machine", ExternalID: "machine", Domain: "machine.example", Tier: "standard"},
	{Name: "Makita", ExternalID: "makita", Domain: "makita.skynet", Tier: "standard"},
	{Name: "Example Net", ExternalID: "example-net", Domain: "example.net", Tier: "standard"},
	{Name: "Example Org", ExternalID: "example-org", Domain: "example.org", Tier: "standard"},
}

const emailCorpusDir = "testdata/email"

func emailCorpus(t *testing.T) (names []string, exp map[string]emailExpectation) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(emailCorpusDir, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	sort.Strings(names)
	exp = map[string]emailExpectation{}
	b, err := os.ReadFile(filepath.Join(emailCorpusDir, "expected.json"))
	if err != nil && !*updateEmailCorpus {
		t.Fatal(err)
	}
	if err == nil {
		if err := json.Unmarshal(b, &exp); err != nil {
			t.Fatal(err)
		}
	}
	return names, exp
}

// parsedExpectation is what the parser makes of a message, in the expectation's terms.
func parsedExpectation(raw []byte) emailExpectation {
	m, err := ParseMail(raw)
	switch {
	case err == ErrAutomated:
		return emailExpectation{Reason: m.Automated}
	case err == ErrNoText:
		return emailExpectation{Reason: "message has no text"}
	case err != nil:
		return emailExpectation{Reason: "error: " + err.Error()}
	}
	c := m.Capture
	c.Normalize(testNow)
	e := emailExpectation{Feedback: true, Text: c.Text, Email: c.Email, Name: c.Name}
	if m.ForwardedBy != nil {
		e.ForwardedBy = strings.ToLower(m.ForwardedBy.Address)
	}
	return e
}

func TestEmailCorpusParse(t *testing.T) {
	names, exp := emailCorpus(t)
	if len(names) < 60 {
		t.Fatalf("%d corpus messages, want at least 60", len(names))
	}
	if *updateEmailCorpus {
		out := map[string]emailExpectation{}
		for _, n := range names {
			e := parsedExpectation(readTestdata(t, filepath.Join("email", n)))
			if e.Feedback {
				e.Account = exp[n].Account // the store attaches the account: kept as reviewed
			}
			out[n] = e
		}
		b, _ := json.MarshalIndent(out, "", "  ")
		if err := os.WriteFile(filepath.Join(emailCorpusDir, "expected.json"), append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, n := range names {
		e, ok := exp[n]
		if !ok {
			t.Errorf("%s: no expectation in expected.json", n)
			continue
		}
		got := parsedExpectation(readTestdata(t, filepath.Join("email", n)))
		got.Account = e.Account // the end-to-end test checks it
		if got != e {
			t.Errorf("%s:\n got %+v\nwant %+v", n, got, e)
		}
		if e.ForwardedBy != "" && got.ForwardedBy != e.ForwardedBy {
			t.Errorf("%s: forwarded by %q, want %q", n, got.ForwardedBy, e.ForwardedBy)
		}
	}
	for n := range exp {
		if _, err := os.Stat(filepath.Join(emailCorpusDir, n)); err != nil {
			t.Errorf("expected.json names %s, which is not in the corpus", n)
		}
	}
}

// TestEmailCorpusEndToEnd posts every corpus message to the real email endpoint on
// each database: feedback is stored with its text and its author as a person;
// automated mail answers 200 "ignored" with the reason and stores nothing; nothing
// answers 5xx; a second delivery of the same bytes answers 200 "duplicate".
func TestEmailCorpusEndToEnd(t *testing.T) {
	names, exp := emailCorpus(t)
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		accounts := map[string]string{} // id → external id
		for _, a := range emailCorpusAccounts {
			a := a
			if err := s.CreateAccount(ctx, &a); err != nil {
				t.Fatal(err)
			}
			accounts[a.ID] = a.ExternalID
		}
		h := newHarness(t, testSecrets, func(d *Deps) { d.Capture = storeCapture(s) })
		secret := map[string]string{"X-Closeloop-Secret": testSecrets.Email}
		stored := 0
		seen := map[string]string{} // external id → first corpus file with it
		people := map[string]bool{} // emails whose person a message has already named
		for _, n := range names {
			e := exp[n]
			raw := readTestdata(t, filepath.Join("email", n))
			r := h.post("/hooks/email", "message/rfc822", raw, secret)
			if r.status >= 500 {
				t.Fatalf("%s: status %d %s", n, r.status, r.body)
			}
			if !e.Feedback && strings.HasPrefix(e.Reason, "error: ") {
				expectStatus(t, n, r, http.StatusBadRequest)
				continue
			}
			expectStatus(t, n, r, http.StatusOK)
			var res result
			if err := json.Unmarshal([]byte(r.body), &res); err != nil {
				t.Fatalf("%s: %v in %s", n, err, r.body)
			}
			if !e.Feedback {
				if res.Status != "ignored" || res.Ignored != e.Reason {
					t.Errorf("%s: %+v, want ignored: %s", n, res, e.Reason)
				}
				continue
			}
			// Public suites reuse Message-IDs between fixtures; the store keeps the
			// first and answers the others as what they are, a redelivery.
			id := ""
			if m, err := ParseMail(raw); err == nil {
				id = m.Capture.ExternalID
			}
			if first, dup := seen[id]; dup {
				if res.Status != "duplicate" {
					t.Errorf("%s: %+v, want duplicate of %s (same Message-ID)", n, res, first)
				}
				continue
			}
			seen[id] = n
			if res.Status != "created" {
				t.Errorf("%s: %+v, want created", n, res)
				continue
			}
			stored++
			it, err := s.GetFeedback(ctx, res.ItemID)
			if err != nil {
				t.Fatalf("%s: %v", n, err)
			}
			if it.Text != e.Text {
				t.Errorf("%s: stored text\n%q\nwant\n%q", n, it.Text, e.Text)
			}
			if got := accounts[it.AccountID]; got != e.Account {
				t.Errorf("%s: account %q, want %q", n, got, e.Account)
			}
			if e.Email == "" {
				continue
			}
			p, err := s.GetPerson(ctx, it.PersonID)
			if err != nil {
				t.Errorf("%s: person %q: %v", n, it.PersonID, err)
				continue
			}
			if p.Email != e.Email {
				t.Errorf("%s: person email %q, want %q", n, p.Email, e.Email)
			}
			// The first message from an address names the person.
			if !people[p.Email] {
				people[p.Email] = true
				if p.Name != e.Name {
					t.Errorf("%s: person named %q, want %q", n, p.Name, e.Name)
				}
			}

			again := h.post("/hooks/email", "message/rfc822", raw, secret)
			expectStatus(t, n+" redelivered", again, http.StatusOK)
			if !strings.Contains(again.body, `"duplicate"`) {
				t.Errorf("%s redelivered: %s, want duplicate", n, again.body)
			}
		}
		if got, err := s.CountFeedback(ctx, ""); err != nil || got != stored {
			t.Fatalf("%d items stored (%v), want %d", got, err, stored)
		}
	})
}

// BenchmarkParseMailCorpus parses every corpus message once per iteration.
func BenchmarkParseMailCorpus(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(emailCorpusDir, "*.eml"))
	var msgs [][]byte
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, raw)
	}
	b.ResetTimer()
	for b.Loop() {
		for _, raw := range msgs {
			_, _ = ParseMail(raw)
		}
	}
}
