package main

import (
	"context"
	"fmt"
	"io"

	"github.com/closeloop/closeloop/internal/csvio"
	"github.com/closeloop/closeloop/internal/store"
)

// subscriptionsImportHelp documents the columns for 'closeloop import subscriptions --help'.
const subscriptionsImportHelp = `Subscriptions columns (ChartMogul-style periods): account_external_id, subscription_id,
start, currency (required); plan, end (exclusive; empty while it runs), and either mrr
(major units, quantity included) or amount (major units per unit and interval) with
billing_interval (month, quarter, half-year, year) and quantity. Dates are YYYY-MM-DD
or RFC 3339. An account's overlapping subscriptions are summed and its MRR movements
derived from the sum; accounts must exist (import accounts first).`

func importSubscriptions(ctx context.Context, s *store.Store, in io.Reader, stdout io.Writer) error {
	res, err := csvio.ImportSubscriptions(ctx, s, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "subscriptions: %d created, %d updated, %d unchanged; %d accounts re-derived, %d movements written\n",
		res.Created, res.Updated, res.Unchanged, res.Accounts, res.Movements)
	return nil
}
