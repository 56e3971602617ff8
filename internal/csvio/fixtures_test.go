package csvio_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store"
)

// badFile is a file an import must refuse whole, naming the line and column ("" for
// the row as a whole) at fault.
type badFile struct {
	name, file string
	line       int
	column     string
}

// wantRefused imports each bad file with imp: each must be refused naming its line
// and column, and written (how many of what an import writes, such as accounts) must
// stay 0.
func wantRefused(t *testing.T, bad []badFile, imp func(io.Reader) error, written func() int, what string) {
	t.Helper()
	for _, b := range bad {
		err := imp(strings.NewReader(b.file))
		if !errorAt(err, b.line, b.column) {
			t.Errorf("%s: got %v, want line %d column %q", b.name, err, b.line, b.column)
		}
		if n := written(); n != 0 {
			t.Fatalf("%s: %d %s written by a failed import", b.name, n, what)
		}
	}
}

// mustAccount creates a, failing the test when the store refuses it.
func mustAccount(t *testing.T, s *store.Store, a account.Account) account.Account {
	t.Helper()
	if err := s.CreateAccount(context.Background(), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// listFeedback is the first page of feedback matching f, failing the test on error.
func listFeedback(t *testing.T, s *store.Store, f store.FeedbackFilter) []feedback.Item {
	t.Helper()
	items, _, err := s.ListFeedback(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return items
}
