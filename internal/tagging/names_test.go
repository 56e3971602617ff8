package tagging_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
	"github.com/closeloop/closeloop/internal/tagging"
)

// A tag's name is vocabulary the model learns even when no tagged text uses it: a
// product word only the tag names ("Zorblax") leads to that tag.
func TestServiceLearnsTagNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		mk := storetest.Tags(t, s)
		app := mk("Mobile app", "")
		zorblax := mk("Zorblax sync", app)
		texts := map[string][]string{
			zorblax:                  {"changes do not show on my phone", "the tablet is out of date", "edits vanish between devices", "my laptop and phone disagree", "it does not update across devices", "stale data on the second device"},
			mk("Billing", ""):        {"charged twice this month", "wrong amount on the card", "need a receipt for accounting", "cancel my plan please", "price went up without notice", "vat missing on the receipt"},
			mk("Login", ""):          {"cannot sign in with google", "password reset email never arrives", "locked out after two tries", "okta sign in loops", "two factor code rejected", "sso with azure fails"},
			mk("Notifications", app): {"too many emails", "push alerts arrive late", "turn off the daily digest", "no alert when assigned", "badge count is wrong", "mute a project"},
		}
		for tag, ts := range texts {
			for i, x := range ts {
				storetest.Capture(t, s, feedback.Capture{Text: fmt.Sprintf("%s (%d)", x, i), Source: feedback.SourceAPI, TagIDs: []string{tag}})
			}
		}
		sv := tagging.New(s, slog.New(slog.DiscardHandler))
		if err := sv.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if err := sv.Wait(); err != nil {
			t.Fatal(err)
		}
		got, err := sv.Suggest(ctx, "zorblax", 3)
		if err != nil || len(got) == 0 || got[0].TagID != zorblax {
			t.Fatalf("suggestions for a word only the tag name holds: %+v %v (want %s first)", got, err, zorblax)
		}
		// Scores are shown to users: one rare word is a lead, not certainty, and a
		// text the model knows nothing about gets no confident suggestion.
		if got[0].Score > 0.9 {
			t.Errorf("zorblax scored %v: overconfident for one name word", got[0].Score)
		}
		for _, q := range []string{"qwxv blorp", "xqxq", "asdfgh jkl"} {
			got, err := sv.Suggest(ctx, q, 4)
			if err != nil || len(got) == 0 || got[0].Score > 0.6 {
				t.Errorf("nonsense %q: %+v %v (want the top score well below 1)", q, got, err)
			}
		}
	})
}
