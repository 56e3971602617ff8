package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

// BenchmarkCapture is one API capture (feedback.created, appended to the event log in
// the capture's transaction) on each dialect: the price of the log on the busiest
// event-writing path.
func BenchmarkCapture(b *testing.B) {
	storetest.EachDialectB(b, func(b *testing.B, d string) {
		s := storetest.Open(b, d)
		ctx := context.Background()
		b.ResetTimer()
		for i := range b.N {
			if _, _, err := s.Capture(ctx, feedback.Capture{Text: fmt.Sprintf("Export keeps filters %d", i), Source: feedback.SourceAPI}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
