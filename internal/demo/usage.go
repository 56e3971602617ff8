package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/store"
)

// UsageOptions says how much product usage GenerateUsage writes.
type UsageOptions struct {
	Events   int // about this many track and page events in all
	Days     int // history up to Now; default 540 (18 months)
	Seed     uint64
	Now      time.Time // default the current day
	Progress func(done, total int)
}

// UsageSummary counts what GenerateUsage wrote.
type UsageSummary struct{ Accounts, Events int }

// usageEvents are what people do in the generated product, most common first.
var usageEvents = []string{"Dashboard Viewed", "Report Created", "Report Shared", "Invite Sent", "Export Downloaded", "Integration Connected", "Alert Configured"}

// GenerateUsage writes product usage for the accounts in the store, from each one's
// signup to now (or to its churn): a few users per seat band, each active on a share of
// days that varies by account. Accounts that churned used the product less and less in
// the three months before they left and not at all after; the others hold steady or
// grow. The daily roll-ups are rebuilt at the end.
func GenerateUsage(ctx context.Context, s *store.Store, opts UsageOptions) (UsageSummary, error) {
	if opts.Days <= 0 {
		opts.Days = 540
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC()
	}
	today := opts.Now.UTC().Truncate(24 * time.Hour)
	first := today.AddDate(0, 0, -(opts.Days - 1))
	rng := rand.New(rand.NewPCG(opts.Seed, 0x75736167))
	type acct struct {
		id, ext     string
		from, until time.Time
		users       int
		rate        float64 // share of users active on an ordinary day
		churned     bool
	}
	var accts []acct
	cursor := ""
	for {
		page, err := s.ListAccounts(ctx, store.AccountFilter{Sort: "created", Cursor: cursor, Limit: 500})
		if err != nil {
			return UsageSummary{}, err
		}
		for _, a := range page.Items {
			from := a.CreatedAt.UTC().Truncate(24 * time.Hour)
			if d, err := time.Parse(time.DateOnly, a.SignupDate); err == nil {
				from = d
			}
			from = maxTime(from, first)
			x := acct{id: a.ID, ext: a.ExternalID, from: from, until: today, users: max(2, min(40, a.Seats/2)), rate: 0.25 + 0.45*rng.Float64()}
			if a.Stage == account.Churned {
				ms, err := s.ListMovements(ctx, store.MovementFilter{AccountID: a.ID, Kind: revenue.Churn, Limit: 1})
				if err != nil {
					return UsageSummary{}, err
				}
				if len(ms) == 1 {
					x.churned, x.until = true, ms[0].EffectiveAt.UTC().Truncate(24*time.Hour)
				}
			}
			if x.ext != "" && !x.until.Before(x.from) {
				accts = append(accts, x)
			}
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	if len(accts) == 0 || opts.Events <= 0 {
		return UsageSummary{}, nil
	}
	// Scale so the expected total is about opts.Events: an active user-day makes two
	// events on average, and weekends are quieter (about 0.8 of the days' weight).
	var userDays float64
	for _, a := range accts {
		userDays += float64(a.users) * a.rate * (a.until.Sub(a.from).Hours()/24 + 1)
	}
	scale := float64(opts.Events) / (1.6 * userDays)
	var evs []store.UsageEvent
	sum := UsageSummary{Accounts: len(accts)}
	flush := func() error {
		if len(evs) == 0 {
			return nil
		}
		// Already attributed and with unique ids: the raw insert, then one rebuild of
		// the roll-ups at the end.
		if err := s.InsertUsageRaw(ctx, evs); err != nil {
			return err
		}
		sum.Events += len(evs)
		if opts.Progress != nil {
			opts.Progress(sum.Events, opts.Events)
		}
		evs = evs[:0]
		return nil
	}
	n := 0
	for _, a := range accts {
		for day := a.from; !day.After(a.until); day = day.AddDate(0, 0, 1) {
			rate := a.rate * scale
			if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
				rate *= 0.3
			}
			if left := a.until.Sub(day).Hours() / 24; a.churned && left < 90 {
				rate *= 0.1 + 0.9*left/90 // fading out before the churn
			} else if !a.churned {
				rate *= 0.8 + 0.4*day.Sub(a.from).Hours()/24/float64(opts.Days) // steady, slowly growing
			}
			rate = math.Min(rate, 0.95)
			for u := 0; u < a.users; u++ {
				if rng.Float64() >= rate {
					continue
				}
				for k := 1 + rng.IntN(3); k > 0; k-- {
					n++
					at := day.Add(time.Duration(8*3600+rng.IntN(10*3600)) * time.Second)
					ev := store.UsageEvent{MessageID: fmt.Sprintf("demo-%d-%d", opts.Seed, n), Type: "track",
						Event: usageEvents[min(len(usageEvents)-1, int(rng.ExpFloat64()*1.5))], UserID: fmt.Sprintf("%s-user-%d", a.ext, u),
						GroupID: a.ext, AccountID: a.id, Timestamp: at, ReceivedAt: at, Payload: []byte(`{}`)}
					if k == 1 && rng.IntN(4) == 0 {
						ev.Type, ev.Event = "page", "Pricing"
					}
					evs = append(evs, ev)
				}
			}
			if len(evs) >= 5000 {
				if err := flush(); err != nil {
					return sum, err
				}
			}
		}
	}
	if err := flush(); err != nil {
		return sum, err
	}
	return sum, s.Rebuild(ctx, "usage", opts.Now, nil)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
