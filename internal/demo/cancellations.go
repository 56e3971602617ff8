package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/closeloop/closeloop/internal/cancel"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/store"
)

// CancellationOptions says how many of the last year's churns answer the
// cancellation survey.
type CancellationOptions struct {
	Max  int // at most this many answers (default 60)
	Seed uint64
	Now  time.Time // default the current time
}

// demoReasons weights the default reasons the way cancellation surveys tend to come
// out: price and low use first, then missing features and competitors.
var demoReasons = []struct {
	code   string
	weight int
	texts  []string
}{
	{"too_expensive", 30, []string{"The per-seat price doubled our bill when we grew.", "We can't justify the cost this year."}},
	{"not_using", 22, []string{"The team never really adopted it.", ""}},
	{"missing_feature", 18, []string{"We needed SSO and audit logs.", "No way to export to our data warehouse."}},
	{"switched_competitor", 14, []string{"Moving to a tool our parent company already pays for.", ""}},
	{"poor_support", 6, []string{"Tickets took a week to get a first answer."}},
	{"business_closed", 5, []string{""}},
	{"other", 5, []string{"Budget freeze across the company."}},
}

// GenerateCancellations answers the cancellation survey for churns of the last year
// (an hour after each churn, as a host product's cancel flow would), through the
// store's API path, so the churn-reasons report, the account pages and the
// churn-reason feedback are populated. It returns the number of answers.
func GenerateCancellations(ctx context.Context, s *store.Store, opts CancellationOptions) (int, error) {
	if opts.Max <= 0 {
		opts.Max = 60
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	churns, err := s.ListMovements(ctx, store.MovementFilter{Kind: revenue.Churn, From: opts.Now.AddDate(-1, 0, 0), To: opts.Now.Add(-time.Hour), Limit: opts.Max})
	if err != nil {
		return 0, fmt.Errorf("demo: cancellations: %w", err)
	}
	rng := rand.New(rand.NewPCG(opts.Seed^0xca9ce1, opts.Seed+23))
	total := 0
	for _, r := range demoReasons {
		total += r.weight
	}
	liked := []string{"ease_of_use", "features", "support", "integrations"}
	for _, m := range churns {
		n, pick := rng.IntN(total), demoReasons[0]
		for _, r := range demoReasons {
			if n -= r.weight; n < 0 {
				pick = r
				break
			}
		}
		in := cancel.Input{Reason: pick.code, Text: pick.texts[rng.IntN(len(pick.texts))], CancelledAt: m.EffectiveAt.Add(time.Hour)}
		for _, l := range liked {
			if rng.IntN(3) == 0 {
				in.Liked = append(in.Liked, l)
			}
		}
		if _, err := s.AddCancellation(ctx, store.CancelWho{AccountID: m.AccountID}, cancel.ChannelAPI, "", in); err != nil {
			return 0, fmt.Errorf("demo: cancellation of %s: %w", m.AccountID, err)
		}
	}
	return len(churns), nil
}
