package csvio_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/csvio"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// acme: s1 100.00 a month from 1 Jan to 1 Apr; s2 600.00 a quarter (200.00 a month)
// from 15 Feb, overlapping s1 until both end on 1 Apr; after a two-month gap s3 at
// 80.00 from 1 Jun. globex: 1,200.00 a year per seat × 2 seats (200.00 a month) from
// 10 Jan, replaced on 10 Mar by a 150.00 plan.
const goodSubscriptions = `account_external_id,subscription_id,plan,start,end,mrr,amount,billing_interval,quantity,currency
acme,s1,pro,2026-01-01,2026-04-01,100.00,,,,USD
acme,s2,addon,2026-02-15,2026-04-01,,600.00,quarter,,USD
acme,s3,pro,2026-06-01,,80,,,,usd
globex,g1,team,2026-01-10,2026-03-10,,1200.00,year,2,EUR
globex,g2,small,2026-03-10T00:00:00Z,,150.00,,,1,EUR
`

func TestImportSubscriptions(t *testing.T) {
	bad := []badFile{
		{"bad currency", strings.Replace(goodSubscriptions, "80,,,,usd", "80,,,,dollars", 1), 4, "currency"},
		{"end before start", strings.Replace(goodSubscriptions, "2026-02-15,2026-04-01", "2026-02-15,2026-02-01", 1), 3, "end"},
		{"bad date", strings.Replace(goodSubscriptions, "2026-06-01", "1 June", 1), 4, "start"},
		{"unknown interval", strings.Replace(goodSubscriptions, "quarter", "fortnight", 1), 3, "billing_interval"},
		{"mrr and amount", strings.Replace(goodSubscriptions, ",100.00,,,", ",100.00,5,month,", 1), 2, "amount"},
		{"no amount", strings.Replace(goodSubscriptions, ",100.00,,,", ",,,,", 1), 2, "mrr"},
		{"unknown column", strings.Replace(goodSubscriptions, "quantity", "seats", 1), 1, "seats"},
		{"duplicate id", strings.Replace(goodSubscriptions, "acme,s3", "acme,s2", 1), 4, "subscription_id"},
		{"unknown account (checked by the store)", strings.Replace(goodSubscriptions, "globex,g2", "initech,g2", 1), 6, "account_external_id"},
		{"two currencies in one account (checked by the store)", strings.Replace(goodSubscriptions, "150.00,,,1,EUR", "150.00,,,1,USD", 1), 5, "currency"},
	}
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ids := map[string]string{}
		for _, ext := range []string{"acme", "globex", "hand"} {
			ids[ext] = mustAccount(t, s, account.Account{ExternalID: ext, Name: ext, Tier: "standard"}).ID
		}
		wantRefused(t, bad, func(r io.Reader) error {
			_, err := csvio.ImportSubscriptions(ctx, s, r)
			return err
		}, func() int {
			ms, _ := s.ListMovements(ctx, store.MovementFilter{})
			return len(ms)
		}, "movements")
		res, err := csvio.ImportSubscriptions(ctx, s, strings.NewReader(goodSubscriptions))
		if err != nil || res.Created != 5 || res.Accounts != 2 || res.Movements != 6 {
			t.Fatalf("good file: %+v %v", res, err)
		}
		d := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
		want := map[string][]struct {
			at         string
			kind       revenue.Kind
			delta, mrr int64
		}{
			"acme": {{"2026-01-01", revenue.New, 10000, 10000}, {"2026-02-15", revenue.Expansion, 20000, 30000},
				{"2026-04-01", revenue.Churn, -30000, 0}, {"2026-06-01", revenue.Reactivation, 8000, 8000}},
			"globex": {{"2026-01-10", revenue.New, 20000, 20000}, {"2026-03-10", revenue.Contraction, -5000, 15000}},
		}
		firstIDs := map[string]string{}
		for ext, ws := range want {
			ms, err := s.ListMovements(ctx, store.MovementFilter{AccountID: ids[ext]})
			if err != nil || len(ms) != len(ws) {
				t.Fatalf("%s movements: %+v %v", ext, ms, err)
			}
			for i, w := range ws {
				m := ms[len(ms)-1-i]
				if !m.EffectiveAt.Equal(d(w.at)) || m.Kind != w.kind || m.Delta != w.delta || m.MRRAfter != w.mrr {
					t.Errorf("%s movement %d = %s %s %d → %d, want %+v", ext, i, m.EffectiveAt.Format(time.RFC3339), m.Kind, m.Delta, m.MRRAfter, w)
				}
			}
			firstIDs[ext] = ms[0].ID
		}
		acme, err := s.GetAccount(ctx, ids["acme"])
		if err != nil {
			t.Fatal(err)
		}
		if acme.MRR != 8000 || acme.Currency != "USD" || acme.Stage != account.Active {
			t.Errorf("acme after import: mrr %d %s stage %s", acme.MRR, acme.Currency, acme.Stage)
		}
		// The same file again changes nothing, not even the movements' ids.
		res, err = csvio.ImportSubscriptions(ctx, s, strings.NewReader(goodSubscriptions))
		if err != nil || res.Unchanged != 5 || res.Created+res.Updated+res.Accounts+res.Movements != 0 {
			t.Fatalf("second import: %+v %v", res, err)
		}
		for ext, id := range firstIDs {
			ms, err := s.ListMovements(ctx, store.MovementFilter{AccountID: ids[ext]})
			if err != nil {
				t.Fatal(err)
			}
			if ms[0].ID != id {
				t.Errorf("%s movements rewritten by an identical import", ext)
			}
		}
		// A changed subscription re-derives only its account: s3 now starts in May.
		res, err = csvio.ImportSubscriptions(ctx, s, strings.NewReader("account_external_id,subscription_id,plan,start,mrr,currency\nacme,s3,pro,2026-05-01,80,USD\n"))
		if err != nil || res.Updated != 1 || res.Accounts != 1 || res.Movements != 4 {
			t.Fatalf("update: %+v %v", res, err)
		}
		ms, err := s.ListMovements(ctx, store.MovementFilter{AccountID: ids["acme"]})
		if err != nil {
			t.Fatal(err)
		}
		if !ms[0].EffectiveAt.Equal(d("2026-05-01")) || ms[0].Kind != revenue.Reactivation {
			t.Errorf("acme's return after the update: %+v", ms[0])
		}
		// An account with movements entered by hand is not overwritten.
		if _, _, err := s.SetMRR(ctx, ids["hand"], 5000, "USD", d("2026-01-01"), ""); err != nil {
			t.Fatal(err)
		}
		_, err = csvio.ImportSubscriptions(ctx, s, strings.NewReader("account_external_id,subscription_id,start,mrr,currency\nacme,s9,2026-01-01,1,USD\nhand,h1,2026-01-01,50,USD\n"))
		if !errorAt(err, 3, "account_external_id") {
			t.Errorf("hand-entered account: %v", err)
		}
		if subs, _ := s.Subscriptions(ctx, ids["acme"]); len(subs) != 3 {
			t.Errorf("failed import left %d acme subscriptions, want 3", len(subs))
		}
	})
}
