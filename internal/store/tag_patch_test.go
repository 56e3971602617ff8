package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

func TestPatchTagIsAtomic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mk := storetest.Tags(t, s)
		editor := mk("Editor", "")
		tables := mk("Tables", editor)
		reporting := mk("Reporting", "")
		mk("Charts", reporting)
		name := func(v string) *string { return &v }

		// Moving under Reporting while renaming to a sibling's name fails whole: Tables
		// stays under Editor with its name.
		_, err := s.PatchTag(ctx, tables, store.TagPatch{ParentID: &reporting, Name: name("charts")})
		var fe *errs.FieldError
		if !errors.As(err, &fe) || fe.Field != "name" {
			t.Fatalf("colliding rename: %v", err)
		}
		if got, _ := s.GetTag(ctx, tables); got.ParentID != editor || got.Name != "Tables" {
			t.Fatalf("half-applied patch: %+v", got)
		}
		got, err := s.PatchTag(ctx, tables, store.TagPatch{ParentID: &reporting, Name: name(" Grids "), Archived: new(true)})
		if err != nil || got.ParentID != reporting || got.Name != "Grids" || !got.Archived {
			t.Fatalf("patch: %+v %v", got, err)
		}
		// The closure follows: feedback tagged Grids now rolls up to Reporting.
		it := storetest.Capture(t, s, feedback.Capture{Text: "grid", Source: feedback.SourceAPI, TagIDs: []string{tables}})
		items, _, err := s.ListFeedback(ctx, store.FeedbackFilter{TagID: reporting})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].ID != it.ID {
			t.Fatalf("roll-up after move: %+v", items)
		}
		if _, err := s.PatchTag(ctx, reporting, store.TagPatch{ParentID: &tables}); !errors.Is(err, store.ErrTagCycle) {
			t.Fatalf("cycle: %v", err)
		}
		if _, err := s.PatchTag(ctx, tables, store.TagPatch{ParentID: name("nope")}); !errors.As(err, &fe) || fe.Field != "parent_id" {
			t.Fatalf("unknown parent: %v", err)
		}
		if _, err := s.PatchTag(ctx, "nope", store.TagPatch{}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown tag: %v", err)
		}
		if _, err := s.GetTag(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("get unknown tag: %v", err)
		}

		// FeedbackLinks batches the links of a page.
		r := storetest.Request(t, s, feedback.Request{Title: "Grids"})
		storetest.Must(t, s.LinkFeedback(ctx, r.ID, it.ID, ""))
		other := storetest.Capture(t, s, feedback.Capture{Text: "other", Source: feedback.SourceAPI})
		tags, reqs, err := s.FeedbackLinks(ctx, []string{it.ID, other.ID})
		if err != nil || !slices.Equal(tags[it.ID], []string{tables}) || !slices.Equal(reqs[it.ID], []string{r.ID}) || len(tags[other.ID]) != 0 {
			t.Fatalf("links: %v %v %v", tags, reqs, err)
		}
	})
}
