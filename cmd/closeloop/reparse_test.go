package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
)

// closeloop reparse re-runs today's parser over a kept raw delivery: an item stored by
// an older parser that lost words ("files 2MB") gets the customer's words back.
func TestReparseCommand(t *testing.T) {
	eachCLIStore(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		raw, err := os.ReadFile("../../internal/integration/testdata/intercom/derived_plain_text_angle_brackets.json")
		if err != nil {
			t.Fatal(err)
		}
		it, _, err := s.Capture(ctx, feedback.Capture{Text: "files 2MB fails", Source: feedback.SourceIntercom, ExternalID: "21322009097:2824391799"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.KeepRawDelivery(ctx, it.ID, "intercom", `{"Content-Type":"application/json"}`, raw, s.Now().Add(-time.Hour), 30*24*time.Hour); err != nil {
			t.Fatal(err)
		}

		var out bytes.Buffer
		if err := runReparse(ctx, []string{"--since", "14d", "--dry-run"}, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "1 would change") {
			t.Fatalf("dry run:\n%s", out.String())
		}
		if got, _ := s.GetFeedback(ctx, it.ID); got.Text != "files 2MB fails" {
			t.Fatalf("dry run wrote %q", got.Text)
		}
		out.Reset()
		if err := runReparse(ctx, []string{"--since", "72h"}, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "1 changed") {
			t.Fatalf("reparse:\n%s", out.String())
		}
		got, err := s.GetFeedback(ctx, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != "files <10MB work, anything >2MB fails" {
			t.Errorf("text after reparse %q", got.Text)
		}
		out.Reset()
		if err := runReparse(ctx, []string{"--pending"}, &out); err != nil || !strings.Contains(out.String(), "0 items wait for an account") {
			t.Fatalf("pending: %v\n%s", err, out.String())
		}
	})
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"72h":        now.Add(-72 * time.Hour),
		"14d":        now.Add(-14 * 24 * time.Hour),
		"2026-03-01": time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
	} {
		got, err := parseSince(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: %v %v, want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "yesterday", "-3h", "0d", "1.5d"} {
		if _, err := parseSince(bad, now); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
