package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// A sync that PostgreSQL aborts to break a deadlock with a writer runs its step
// again instead of failing the page view that asked for it. The deadlock is made
// on purpose: the writer holds B's mark, the sync deletes A's and waits for B's,
// then the writer marks A. Only the sync's deadlock check can fire within the test
// (BeginMarks gives the writer a minute), so the sync is the one aborted (bench load
// with group commit on PostgreSQL answered 500 this way).
func TestSyncRunsAgainAfterADeadlockWithAWriter(t *testing.T) {
	s := storetest.Open(t, "postgres")
	ctx := context.Background()
	a := &account.Account{Name: "A", ExternalID: "a"}
	b := &account.Account{Name: "B", ExternalID: "b"}
	storetest.Must(t, s.CreateAccount(ctx, a))
	storetest.Must(t, s.CreateAccount(ctx, b))
	now := time.Now()
	storetest.Must(t, s.SyncDerivation(ctx, "health", now))
	// Both marked and committed, so the sync's step takes both.
	a.Tier, b.Tier = "strategic", "strategic"
	storetest.Must(t, s.UpdateAccount(ctx, a))
	storetest.Must(t, s.UpdateAccount(ctx, b))

	w, err := s.BeginMarks(ctx)
	storetest.Must(t, err)
	defer w.Rollback()
	// The writer locks the mark that sorts last, so the sync's delete locks the first
	// and waits on this one.
	first, last := a.ID, b.ID
	if last < first {
		first, last = last, first
	}
	storetest.Must(t, w.Mark(ctx, last))

	synced := make(chan error, 1)
	go func() { synced <- s.SyncDerivation(ctx, "health", now) }()
	waitForLockWait(t, s)
	// The writer now waits for the sync: a cycle. PostgreSQL aborts the sync.
	if err := w.Mark(ctx, first); err != nil {
		t.Fatalf("the writer was aborted, not the sync (the test needs the other order): %v", err)
	}
	storetest.Must(t, w.Commit())
	select {
	case err := <-synced:
		if err != nil {
			t.Fatalf("sync after a deadlock: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("sync did not finish")
	}
	if diff, err := s.DerivedDiff(ctx, "health", now); err != nil || diff != "" {
		t.Fatalf("health after the retried sync differs from a rebuild: %v\n%s", err, diff)
	}
}

// waitForLockWait returns once some backend of this database waits for a row lock
// while deleting health marks: the sync's step.
func waitForLockWait(t *testing.T, s *store.Store) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		n, err := s.LockWaits(context.Background(), "DELETE FROM health_dirty%")
		storetest.Must(t, err)
		if n > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the sync never waited for the writer's lock")
}
