package store

import (
	"context"

	"github.com/closeloop/closeloop/internal/revenue"
)

// RevenueHistoriesRaw exposes the raw reading to the roll-up's equivalence test.
func (s *Store) RevenueHistoriesRaw(ctx context.Context) ([]revenue.AccountHistory, error) {
	return s.revenueHistoriesRaw(ctx)
}
