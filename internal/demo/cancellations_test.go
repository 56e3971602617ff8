package demo_test

import (
	"context"
	"testing"

	"github.com/closeloop/closeloop/internal/demo"
	"github.com/closeloop/closeloop/internal/revenue"
	"github.com/closeloop/closeloop/internal/store"
)

// TestGenerateCancellationsPopulatesTheReport: the demo's answers follow its churns,
// so every one is weighted by its account's churned MRR in the report.
func TestGenerateCancellationsPopulatesTheReport(t *testing.T) {
	eachGenerated(t, demo.Options{Accounts: 300, Seed: 1, Now: today, BatchSize: 120}, func(t *testing.T, s *store.Store, _ demo.Summary) {
		ctx := context.Background()
		n, err := demo.GenerateCancellations(ctx, s, demo.CancellationOptions{Seed: 1, Now: today})
		if err != nil || n < 5 {
			t.Fatalf("%d answers, %v", n, err)
		}
		rep, err := s.ChurnReasons(ctx, today.AddDate(-1, 0, 0), today, revenue.Conversion{})
		if err != nil {
			t.Fatal(err)
		}
		answers, reasons := 0, map[string]bool{}
		for _, r := range rep.Totals {
			answers += r.Cancellations
			reasons[r.Reason] = true
			if r.Churned != r.Cancellations || r.ChurnedMRR <= 0 {
				t.Errorf("%+v: every demo answer follows a churn", r)
			}
		}
		if answers != n || len(reasons) < 3 || len(rep.Months) < 3 {
			t.Errorf("%d answers in the report of %d, reasons %v, %d month rows", answers, n, reasons, len(rep.Months))
		}
	})
}
