package app

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/closeloop/closeloop/internal/integration"
	"github.com/closeloop/closeloop/internal/jobs"
	"github.com/closeloop/closeloop/internal/store"
)

// Inbound webhooks' housekeeping (issue 12, issue 13 defect 9).

// inboundRawRetention is how long each captured item's raw delivery is kept for
// `closeloop reparse`: CLOSELOOP_INBOUND_RAW_DAYS days (default 30; 0 keeps none).
func inboundRawRetention(log *slog.Logger) time.Duration {
	v := os.Getenv("CLOSELOOP_INBOUND_RAW_DAYS")
	if v == "" {
		return integration.DefaultRawRetention
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 3650 {
		log.Warn("CLOSELOOP_INBOUND_RAW_DAYS must be a whole number of days from 0 to 3650; using 30", "value", v)
		return integration.DefaultRawRetention
	}
	if n == 0 {
		return -1 // keep none
	}
	return time.Duration(n) * 24 * time.Hour
}

// inboundCleanupJob deletes expired replay records and raw deliveries, and attaches
// items that were waiting for an account that now exists.
func inboundCleanupJob(s *store.Store, log *slog.Logger) jobs.Job {
	return jobs.Job{Name: "inbound-cleanup", Help: "expires webhook replay records, raw deliveries and the ignored log; attaches items to accounts created since",
		Schedule: jobs.Every(10 * time.Minute),
		Run: func(ctx context.Context, _ string) error {
			n, err := s.DeleteExpiredInbound(ctx, s.Now())
			if err == nil {
				var m int64
				m, err = s.PruneIgnored(ctx, s.Now())
				n += m
			}
			if n > 0 {
				log.Info("expired inbound records removed", "count", n)
			}
			if err != nil {
				return err
			}
			attached, err := s.AttachPendingAccounts(ctx)
			if attached > 0 {
				log.Info("waiting inbound items attached to their accounts", "count", attached)
			}
			return err
		}}
}

// MemberLookup finds an active team member by email, for telling a member's email
// forward (logged by them) from a customer's.
func MemberLookup(s *store.Store) integration.MemberLookup {
	return func(ctx context.Context, email string) (string, bool) {
		m, err := s.GetMemberByEmail(ctx, email)
		if err != nil || m.Disabled {
			return "", false
		}
		return m.ID, true
	}
}
