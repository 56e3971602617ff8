package integration

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// The vendor corpus: real payloads from the vendors' SDKs, docs and public fixture
// repositories (sources and licences in testdata/README.md), and a few derived from
// them to pin one behaviour each, under testdata/<vendor>/. testdata/<vendor>/
// expected.json lists the cases in delivery order, each with what closeloop must make
// of it: the HTTP status, created / ignored (with the reason) / duplicate, and for
// feedback the stored text, the person (email, name, external id) and the account.
// The expectations were written by reading each payload; -update-vendor-corpus
// rewrites the files from the code for review, and the diff is what a reviewer reads.

var updateVendorCorpus = flag.Bool("update-vendor-corpus", false, "rewrite testdata/<vendor>/expected.json from the code")

// vendorCase is one delivery of the corpus and what it must produce.
type vendorCorpusCase struct {
	File  string `json:"file"`
	Event string `json:"event,omitempty"` // Help Scout: the X-HelpScout-Event header
	Form  bool   `json:"form,omitempty"`  // Slack interactivity: sent as payload=<json>
	Auth  string `json:"auth,omitempty"`  // Freshdesk: "basic" sends the secret as basic auth
	Note  string `json:"note,omitempty"`  // what the case pins, for the reader

	Status  int    `json:"status"`
	Result  string `json:"result,omitempty"` // created, ignored, duplicate ("" for a 4xx)
	Reason  string `json:"reason,omitempty"` // why ignored
	Text    string `json:"text,omitempty"`
	Email   string `json:"email,omitempty"`
	Name    string `json:"name,omitempty"`
	Person  string `json:"person_external_id,omitempty"`
	Account string `json:"account,omitempty"` // the item's account (external id), or "pending:<external id>"
}

// vendorCorpusAccounts exist before the corpus runs, so that a sender's email domain
// or an organization external id can attach an item.
var vendorCorpusAccounts = []account.Account{
	{Name: "Acme", ExternalID: "acme", Domain: "acme.com", Tier: "standard"},
	{Name: "Initech", ExternalID: "acct-initech", Domain: "initech.example", Tier: "standard"},
}

var vendorCorpusVendors = []struct{ name, path string }{
	{"intercom", "/hooks/intercom"}, {"zendesk", "/hooks/zendesk"}, {"helpscout", "/hooks/helpscout"},
	{"freshdesk", "/hooks/freshdesk"}, {"slack", "/hooks/slack"},
}

func readVendorCases(t *testing.T, vendor string) []vendorCorpusCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", vendor, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cs []vendorCorpusCase
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

// deliver signs and posts one case the way its vendor does.
func (h *harness) deliver(vendor, path string, c vendorCorpusCase, body []byte) response {
	h.t.Helper()
	switch vendor {
	case "intercom":
		return h.post(path, "application/json", body, signIntercom(testSecrets.Intercom, body))
	case "zendesk":
		return h.post(path, "application/json", body, signZendesk(testSecrets.Zendesk, h.now.Format(time.RFC3339), body))
	case "helpscout":
		return h.post(path, "application/json", body, signHelpScout(testSecrets.HelpScout, c.Event, body))
	case "freshdesk":
		if c.Auth == "basic" {
			auth := "Basic " + base64.StdEncoding.EncodeToString([]byte("closeloop:"+testSecrets.Freshdesk))
			return h.post(path, "application/json", body, map[string]string{"Authorization": auth})
		}
		return h.post(path, "application/json", body, map[string]string{"X-Closeloop-Secret": testSecrets.Freshdesk})
	case "slack":
		ct := "application/json"
		if c.Form {
			ct, body = "application/x-www-form-urlencoded", []byte("payload="+url.QueryEscape(string(body)))
		}
		return h.post(path, ct, body, signSlack(testSecrets.Slack, h.now, body))
	}
	h.t.Fatalf("unknown vendor %s", vendor)
	return response{}
}

// TestVendorCorpusEndToEnd posts every corpus case to the real endpoint, on a real
// store of each dialect: feedback is stored with its text, person and account; what is
// not a customer's words answers 200 "ignored" with the reason and stores nothing;
// nothing answers 5xx; the identical delivery again answers 200 and stores nothing.
func TestVendorCorpusEndToEnd(t *testing.T) {
	for _, v := range vendorCorpusVendors {
		t.Run(v.name, func(t *testing.T) {
			cases := readVendorCases(t, v.name)
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				got := runVendorCorpus(t, s, v.name, v.path, cases)
				if *updateVendorCorpus && s.Dialect() == "sqlite" {
					b, _ := json.MarshalIndent(got, "", "  ")
					if err := os.WriteFile(filepath.Join("testdata", v.name, "expected.json"), append(b, '\n'), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				for i, c := range cases {
					g := got[i]
					g.Note = c.Note
					if g != c {
						t.Errorf("%s (case %d):\n got %+v\nwant %+v", c.File, i, g, c)
					}
				}
			})
		})
	}
}

func runVendorCorpus(t *testing.T, s *store.Store, vendor, path string, cases []vendorCorpusCase) []vendorCorpusCase {
	ctx := context.Background()
	for _, a := range vendorCorpusAccounts {
		a := a
		if err := s.CreateAccount(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	h := storeHarness(t, s)
	var out []vendorCorpusCase
	stored := 0 // items the answers account for
	for _, c := range cases {
		body := readTestdata(t, filepath.Join(vendor, c.File))
		before, err := s.CountFeedback(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		r := h.deliver(vendor, path, c, body)
		if r.status >= 500 {
			t.Fatalf("%s: status %d %s", c.File, r.status, r.body)
		}
		g := vendorCorpusCase{File: c.File, Event: c.Event, Form: c.Form, Auth: c.Auth, Status: r.status}
		if r.status == http.StatusOK && strings.HasPrefix(r.body, "{") {
			var res result
			if err := json.Unmarshal([]byte(r.body), &res); err != nil {
				t.Fatalf("%s: %v in %s", c.File, err, r.body)
			}
			g.Result, g.Reason = res.Status, res.Ignored
			if res.Status == "created" {
				describeItem(t, s, res.ItemID, &g)
			}
		} else if r.status == http.StatusOK && c.Form {
			g.Result = "acknowledged" // Slack interactivity answers an empty 200
		}
		after, err := s.CountFeedback(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if n := after - before; n > 1 || n == 1 && g.Result != "created" && g.Result != "acknowledged" {
			t.Errorf("%s: %d items stored for a %q answer", c.File, n, g.Result)
		} else {
			stored += n
		}
		// The identical bytes again: a redelivery, never a second item, never 4xx/5xx.
		if r.status == http.StatusOK {
			again := h.deliver(vendor, path, c, body)
			if again.status != http.StatusOK || strings.HasPrefix(again.body, "{") && strings.Contains(again.body, `"created"`) {
				t.Errorf("%s redelivered: %d %s, want 200 and nothing created", c.File, again.status, again.body)
			}
		}
		out = append(out, g)
	}
	if n, err := s.CountFeedback(ctx, ""); err != nil || n != stored {
		t.Errorf("%d items stored (%v), want %d", n, err, stored)
	}
	return out
}

// describeItem fills the case with what the store holds for a created item.
func describeItem(t *testing.T, s *store.Store, itemID string, g *vendorCorpusCase) {
	ctx := context.Background()
	it, err := s.GetFeedback(ctx, itemID)
	if err != nil {
		t.Fatalf("%s: %v", g.File, err)
	}
	g.Text = it.Text
	if it.PersonID != "" {
		p, err := s.GetPerson(ctx, it.PersonID)
		if err != nil {
			t.Fatalf("%s: person: %v", g.File, err)
		}
		g.Email, g.Name, g.Person = p.Email, p.Name, p.ExternalID
	}
	if it.AccountID != "" {
		a, err := s.GetAccount(ctx, it.AccountID)
		if err != nil {
			t.Fatalf("%s: account: %v", g.File, err)
		}
		g.Account = a.ExternalID
	}
	pend, err := s.PendingAccounts(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pend {
		if p.FeedbackID == itemID {
			g.Account = "pending:" + p.AccountExternalID
		}
	}
}
