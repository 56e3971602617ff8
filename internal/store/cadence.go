package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// cadenceOverdueWhere is the condition, on accounts aliased a, of being overdue for
// contact on the day of now: no touchpoint of a counting kind (internal notes never
// count) since the start of the day the tier's cadence before today. It is the same
// rule as the health score's contact component (days since the last contact greater
// than the cadence), read straight from touchpoints so the list is exact without
// waiting for a health sync.
func (s *Store) cadenceOverdueWhere(ctx context.Context, now time.Time) (string, []any, error) {
	hs, err := s.HealthSettings(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("cadence overdue where: %w", err)
	}
	if len(hs.ContactKinds) == 0 {
		return "1 = 1", nil, nil // nothing counts as contact: every account is overdue
	}
	today := now.UTC().Truncate(24 * time.Hour)
	since := func(days int) int64 { return ms(today.AddDate(0, 0, -days)) }
	kin, args := placeholders(hs.ContactKinds)
	var cases strings.Builder
	var caseArgs []any
	for _, tier := range sortedKeys(hs.Cadence) {
		cases.WriteString(" WHEN ? THEN CAST(? AS BIGINT)")
		caseArgs = append(caseArgs, tier, since(hs.CadenceFor(tier)))
	}
	cond := `NOT EXISTS (SELECT 1 FROM touchpoints ct WHERE ct.account_id = a.id AND ct.kind IN (` + kin + `) AND ct.direction <> 'internal'
		AND ct.occurred_at < ? AND ct.occurred_at >= CASE a.tier` + cases.String() + ` ELSE CAST(? AS BIGINT) END)`
	args = append(args, ms(today.AddDate(0, 0, 1)))
	args = append(args, caseArgs...)
	args = append(args, since(hs.DefaultCadence))
	return cond, args, nil
}
