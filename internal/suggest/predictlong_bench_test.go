package suggest

import (
	"strings"
	"testing"
)

// BenchmarkPredictLong predicts tags for a 240-word text (twenty short
// messages run together), the length of a long app review or email.
func BenchmarkPredictLong(b *testing.B) {
	ex := syntheticExamples(10000, 77, 1)
	m, err := Train(ex, Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	var parts []string
	for _, e := range ex[:20] {
		parts = append(parts, e.Text)
	}
	text := strings.Join(parts, " ")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Predict(text, 3, Taxonomy{})
	}
}
