package tagging_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
	"github.com/closeloop/closeloop/internal/tagging"
)

func TestServiceLearnsFromTheTeamsTagging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		invoices, exports, reports, sso := seedTagging(t, s)
		sv := tagging.New(s, slog.New(slog.DiscardHandler))
		if got, _ := sv.Suggest(ctx, "invoice", 3); len(got) != 0 {
			t.Fatal("suggestions before any model")
		}
		if err := sv.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if err := sv.Wait(); err != nil {
			t.Fatal(err)
		}
		top := func(text string) string {
			got, err := sv.Suggest(ctx, text, 3)
			if err != nil || len(got) == 0 {
				t.Fatalf("suggest %q: %v %v", text, got, err)
			}
			return got[0].TagID
		}
		if top("the invoice has the wrong VAT") != invoices || top("csv export broken") != exports || top("okta login") != sso {
			t.Fatal("suggestions do not follow the team's tagging")
		}
		// Archive Login: it is never suggested, even for a login text.
		storetest.Must(t, s.UpdateTag(ctx, store.Tag{ID: sso, Name: "Login", Archived: true}))
		sv.Refresh(ctx)
		sv.Wait()
		for _, sg := range mustSuggest(t, sv, "okta login") {
			if sg.TagID == sso {
				t.Fatal("archived tag suggested")
			}
		}
		// Merge Exports into Reporting: export texts now suggest Reporting.
		if err := s.MergeTag(ctx, exports, reports); err != nil {
			t.Fatal(err)
		}
		sv.Refresh(ctx)
		sv.Wait()
		if got := top("csv export broken"); got != reports {
			t.Fatalf("after merge top suggestion %s, want Reporting %s", got, reports)
		}
		// Acceptance is recorded per tag.
		items, _, err := s.ListFeedback(ctx, store.FeedbackFilter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		storetest.Must(t, s.SuggestionsShown(ctx, items[0].ID, []string{invoices, reports}, []float64{0.9, 0.2}))
		storetest.Must(t, s.SuggestionsShown(ctx, items[0].ID, []string{invoices}, []float64{0.9})) // shown again: counted once
		storetest.Must(t, s.SuggestionAccepted(ctx, items[0].ID, invoices))
		rates, err := s.SuggestionRates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rates[invoices].Shown != 1 || rates[invoices].Accepted != 1 || rates[reports].Accepted != 0 {
			t.Fatalf("rates %+v", rates)
		}
	})
}

// seedTagging makes a small taxonomy (Billing › Invoices, Reporting › Exports, Login)
// and 15 tagged items per leaf tag.
func seedTagging(t *testing.T, s *store.Store) (invoices, exports, reports, sso string) {
	mk := storetest.Tags(t, s)
	billing := mk("Billing", "")
	invoices = mk("Invoices", billing)
	reports = mk("Reporting", "")
	exports = mk("Exports", reports)
	sso = mk("Login", "")
	texts := map[string][]string{
		invoices: {"invoice is wrong", "invoice pdf missing VAT number", "cannot download my invoice", "invoice total does not match", "need invoices emailed monthly"},
		exports:  {"export to csv fails", "schedule an export every monday", "excel export loses formatting", "export of the dashboard is empty", "export large reports"},
		sso:      {"login with okta please", "sso login loops", "cannot login with google", "saml login for our team", "login page times out"},
	}
	for tag, ts := range texts {
		for rep := 0; rep < 3; rep++ {
			for i, x := range ts {
				storetest.Capture(t, s, feedback.Capture{Text: fmt.Sprintf("%s (%d-%d)", x, rep, i), Source: feedback.SourceAPI, TagIDs: []string{tag}})
			}
		}
	}
	return invoices, exports, reports, sso
}

// A trained model is saved; a restarted service serves it before any training, and
// ignores a corrupt file or a model whose tags this database does not have.
func TestSavedModelServesAtStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		invoices, _, _, _ := seedTagging(t, s)
		path := filepath.Join(t.TempDir(), "data", "suggest-model.bin")
		quiet := slog.New(slog.DiscardHandler)
		first := tagging.New(s, quiet)
		first.ModelPath = path
		if err := first.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if err := first.Wait(); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("saved model: %v %v", fi, err)
		}

		// loaded is a fresh service on st that has loaded the saved model; its log
		// goes to logged.
		var logged bytes.Buffer
		loaded := func(st *store.Store) *tagging.Service {
			logged.Reset()
			sv := tagging.New(st, slog.New(slog.NewTextHandler(&logged, nil)))
			sv.ModelPath = path
			if got := mustSuggest(t, sv, "invoice"); len(got) != 0 {
				t.Fatalf("suggestions before loading: %v", got)
			}
			if err := sv.LoadSaved(ctx); err != nil {
				t.Fatal(err)
			}
			return sv
		}
		restarted := loaded(s)
		if got := mustSuggest(t, restarted, "the invoice has the wrong VAT"); len(got) == 0 || got[0].TagID != invoices {
			t.Fatalf("saved model, before any training: %v, want %s first", got, invoices)
		}
		// Tagging has not changed since the saved model was trained: no retraining
		// until it does.
		refresh := func() {
			if err := restarted.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			if err := restarted.Wait(); err != nil {
				t.Fatal(err)
			}
		}
		refresh()
		if strings.Contains(logged.String(), "model trained") {
			t.Fatalf("retrained though tagging did not change:\n%s", logged.String())
		}
		storetest.Capture(t, s, feedback.Capture{Text: "invoice shows the old address", Source: feedback.SourceAPI, TagIDs: []string{invoices}})
		refresh()
		if !strings.Contains(logged.String(), "model trained") {
			t.Fatalf("tagging changed but no retraining:\n%s", logged.String())
		}

		// A model file of an older build's format (3: no network expert; a format-3
		// reader stops before this build's network section) is served, then retrained
		// though tagging did not change.
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		binary.LittleEndian.PutUint32(b[4:8], 3)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		older := loaded(s)
		if got := mustSuggest(t, older, "the invoice has the wrong VAT"); len(got) == 0 || got[0].TagID != invoices {
			t.Fatalf("format-3 model: %v, want %s first", got, invoices)
		}
		if err := older.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if err := older.Wait(); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(logged.String(), "model trained") {
			t.Fatalf("format-3 model not retrained:\n%s", logged.String())
		}

		other := storetest.Open(t, "sqlite") // another database, other tag ids
		seedTagging(t, other)
		if got := mustSuggest(t, loaded(other), "the invoice has the wrong VAT"); len(got) != 0 {
			t.Fatalf("suggested tags this database does not have: %v", got)
		}

		if err := os.WriteFile(path, []byte("CLSG garbage"), 0o600); err != nil {
			t.Fatal(err)
		}
		if got := mustSuggest(t, loaded(s), "invoice"); len(got) != 0 {
			t.Fatalf("suggestions from a corrupt file: %v", got)
		}
	})
}

func mustSuggest(t *testing.T, sv *tagging.Service, text string) []tagging.Suggestion {
	got, err := sv.Suggest(context.Background(), text, 5)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestSimilarFindsTheRequestAnItemDuplicates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sso := feedback.Request{Title: "Single sign-on with Okta", Description: "Sign in through an identity provider."}
		shipped := feedback.Request{Title: "Okta sign-in for admins", Status: feedback.Shipped}
		storetest.Must(t, s.CreateRequest(ctx, &sso))
		storetest.Must(t, s.CreateRequest(ctx, &shipped))
		linked := storetest.Capture(t, s, feedback.Capture{Text: "We need SAML login through Okta for all staff.", Source: feedback.SourceEmail, RequestIDs: []string{sso.ID}})
		self := storetest.Capture(t, s, feedback.Capture{Text: "Okta SAML login for our staff, please.", Source: feedback.SourceEmail})
		storetest.Must(t, s.Triage(ctx, self.ID, nil, ptrStatus(feedback.Triaged)))
		sv := tagging.New(s, slog.New(slog.DiscardHandler))
		if err := sv.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		reqs, items := sv.Similar(ctx, "Okta SAML login for our staff, please.", self.ID, 3)
		if len(reqs) == 0 || reqs[0].RequestID != sso.ID {
			t.Fatalf("requests %+v", reqs)
		}
		for _, r := range reqs {
			if r.RequestID == shipped.ID {
				t.Fatal("a shipped request was proposed")
			}
		}
		if len(items) == 0 || items[0].ID != linked.ID || items[0].RequestID != sso.ID {
			t.Fatalf("items %+v", items)
		}
		for _, it := range items {
			if it.ID == self.ID {
				t.Fatal("the item itself was proposed")
			}
		}
		if r, i := sv.Similar(ctx, "quarterly invoice totals", "", 3); len(r)+len(i) != 0 {
			t.Fatalf("unrelated text matched: %+v %+v", r, i)
		}
	})
}

func ptrStatus(s feedback.Status) *feedback.Status { return &s }
