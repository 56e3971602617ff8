package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// TestNULDroppedAtTheQueryBoundary is issue 13, defect 3 at the store: U+0000 in any
// string argument is dropped on both dialects, through both doors to the database
// (q, used in and out of transactions, and the pool's direct one-statement writes), so
// PostgreSQL no longer refuses it and SQLite no longer stores it.
func TestNULDroppedAtTheQueryBoundary(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		// CreateMember and CreateRequest write through the pool directly.
		m := auth.Member{Email: "ada@example.com", Name: "A\x00da", Role: auth.RoleMember, PasswordHash: "x"}
		if err := s.CreateMember(ctx, &m); err != nil {
			t.Fatalf("member with a NUL in the name: %v", err)
		}
		// A lookup (through q) with a NUL finds the same member: the argument is cleaned too.
		got, err := s.GetMemberByEmail(ctx, "ada\x00@example.com")
		if err != nil || got.ID != m.ID || got.Name != "Ada" {
			t.Fatalf("member by email with a NUL: %+v %v, want %s named Ada", got, err, m.ID)
		}
		r := feedback.Request{Title: "Export\x00 to CSV", Description: "\x00monthly", Status: feedback.Planned}
		if err := s.CreateRequest(ctx, &r); err != nil {
			t.Fatalf("request with NULs: %v", err)
		}
		gr, err := s.GetRequest(ctx, r.ID)
		if err != nil || gr.Title != "Export to CSV" || gr.Description != "monthly" || gr.Status != feedback.Planned {
			t.Fatalf("request %+v %v: want title and description without the NUL", gr, err)
		}
		// Capture runs in a transaction through q.
		it, _, err := s.Capture(ctx, feedback.Capture{Text: "Dark\x00 mode", Source: feedback.SourceAPI, Email: "bob@example.com", Name: "Bo\x00b"})
		if err != nil {
			t.Fatalf("capture with NULs: %v", err)
		}
		stored, err := s.GetFeedback(ctx, it.ID)
		if err != nil || stored.Text != "Dark mode" || strings.ContainsRune(stored.Quote, 0) {
			t.Fatalf("stored item %+v %v", stored, err)
		}
		p, err := s.GetPersonByEmail(ctx, "bob@example.com")
		if err != nil || p.Name != "Bob" {
			t.Fatalf("person %+v %v", p, err)
		}
	})
}
