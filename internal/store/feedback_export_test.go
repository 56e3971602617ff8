package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

func TestExportFeedback(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		storetest.Accounts(t, s, &account.Account{ExternalID: "acme-1", Name: "Acme Robotics", Domain: "acme.com"})
		editor := storetest.Tag(t, s, store.Tag{Name: "Editor"})
		tables := storetest.Tag(t, s, store.Tag{Name: "Tables", ParentID: editor.ID})
		sso := feedback.Request{Title: "SSO"}
		dark := feedback.Request{Title: "Dark mode"}
		storetest.Must(t, s.CreateRequest(ctx, &sso))
		storetest.Must(t, s.CreateRequest(ctx, &dark))

		// Eight items, oldest first, so pages of three end mid-way and the last page is
		// short; tags and links sit on items at the page boundaries.
		base := time.Date(2026, 2, 1, 9, 30, 0, 0, time.UTC)
		var want []feedback.Item
		for i := 0; i < 8; i++ {
			c := feedback.Capture{Text: fmt.Sprintf("item %d", i), Source: feedback.SourceAPI, OccurredAt: base.Add(time.Duration(i) * time.Hour)}
			switch i {
			case 0:
				c.Email, c.Name, c.PersonExternalID, c.Quote = "ann@acme.com", "Ann Archer", "crm-ann", "the quote"
				c.TagIDs, c.RequestIDs = []string{tables.ID, editor.ID}, []string{sso.ID, dark.ID}
			case 2, 3:
				c.AccountExternalID, c.TagIDs = "acme-1", []string{tables.ID}
			case 5:
				c.Source, c.ExternalID, c.ExternalURL, c.Kind = feedback.SourceZendesk, "zd-5", "https://z.example.com/5", feedback.Bug
				c.RequestIDs = []string{dark.ID}
			}
			it, _, err := s.Capture(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, it)
		}
		archived := feedback.Archived
		if err := s.Triage(ctx, want[7].ID, nil, &archived); err != nil {
			t.Fatal(err)
		}

		for _, size := range []int{3, 4, 8, 1000} {
			var got []store.FeedbackExport
			late := false
			err := s.ExportFeedback(ctx, size, func(e store.FeedbackExport) error {
				if !late {
					// Captured while the export runs: not in this export's snapshot.
					late = true
					if _, _, err := s.Capture(ctx, feedback.Capture{Text: fmt.Sprintf("late %d", size), Source: feedback.SourceAPI}); err != nil {
						return err
					}
				}
				got = append(got, e)
				return nil
			})
			if err != nil {
				t.Fatalf("page size %d: %v", size, err)
			}
			if len(got) != len(want) {
				t.Fatalf("page size %d: exported %d items, want %d", size, len(got), len(want))
			}
			for i, e := range got {
				w := want[i]
				if e.ID != w.ID || e.Text != w.Text || !e.OccurredAt.Equal(w.OccurredAt) || e.Source != w.Source || e.Kind != w.Kind {
					t.Fatalf("page size %d, item %d: %+v, want %+v", size, i, e, w)
				}
			}
			a := got[0]
			if !slices.Equal(a.TagIDs, sorted(tables.ID, editor.ID)) || !slices.Equal(a.RequestIDs, sorted(sso.ID, dark.ID)) ||
				a.PersonEmail != "ann@acme.com" || a.PersonName != "Ann Archer" || a.PersonExternalID != "crm-ann" ||
				a.AccountExternalID != "acme-1" || a.AccountName != "Acme Robotics" || a.Quote != "the quote" || a.Status != feedback.Triaged {
				t.Fatalf("item 0 (person on the account of her domain): %+v", a)
			}
			for _, i := range []int{2, 3} {
				if e := got[i]; !slices.Equal(e.TagIDs, []string{tables.ID}) || e.RequestIDs != nil || e.AccountName != "Acme Robotics" || e.PersonEmail != "" {
					t.Fatalf("item %d: %+v", i, e)
				}
			}
			if e := got[5]; e.ExternalID != "zd-5" || e.ExternalURL != "https://z.example.com/5" || e.Kind != feedback.Bug ||
				!slices.Equal(e.RequestIDs, []string{dark.ID}) || e.TagIDs != nil || e.AccountExternalID != "" {
				t.Fatalf("item 5: %+v", e)
			}
			for _, i := range []int{1, 4, 6} {
				if e := got[i]; e.TagIDs != nil || e.RequestIDs != nil || e.AccountID != "" || e.PersonID != "" || e.Status != feedback.New {
					t.Fatalf("item %d picked up another item's links: %+v", i, e)
				}
			}
			if got[7].Status != feedback.Archived {
				t.Fatalf("item 7 status %s", got[7].Status)
			}
			want = append(want, mustLatest(t, s)) // the late item is in the next export
		}

		// An error from the callback stops the export.
		stop := errors.New("disk full")
		n := 0
		if err := s.ExportFeedback(ctx, 2, func(store.FeedbackExport) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
			t.Fatalf("callback error: %v after %d", err, n)
		}
		// Nothing to export is not an error.
		empty := storetest.Open(t, s.Dialect())
		if err := empty.ExportFeedback(ctx, 10, func(store.FeedbackExport) error { t.Fatal("called"); return nil }); err != nil {
			t.Fatal(err)
		}

		ids := []string{want[0].ID, "06zzzzzzzzzzzzzzzzzzzzzzzz", want[3].ID}
		for i := 0; i < 1200; i++ { // more than one IN list
			ids = append(ids, fmt.Sprintf("nope-%d", i))
		}
		ex, err := s.ExistingFeedbackIDs(ctx, ids)
		if err != nil || len(ex) != 2 || !ex[want[0].ID] || !ex[want[3].ID] {
			t.Fatalf("existing ids: %v %v", ex, err)
		}
	})
}

func sorted(v ...string) []string { slices.Sort(v); return v }

// mustLatest returns the newest feedback item.
func mustLatest(t *testing.T, s *store.Store) feedback.Item {
	t.Helper()
	items, _, err := s.ListFeedback(context.Background(), store.FeedbackFilter{Limit: 1})
	if err != nil || len(items) != 1 {
		t.Fatalf("latest: %v %v", items, err)
	}
	return items[0]
}
