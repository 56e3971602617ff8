package sentiment

import "testing"

// BenchmarkAnalyze is the cost capture pays per item: a typical feedback message.
func BenchmarkAnalyze(b *testing.B) {
	text := "The new export is really slow and support hasn't replied in three days, but the dashboards are great. Please fix this soon!"
	Analyze(text) // load the lexicon outside the timing
	b.ReportAllocs()
	for b.Loop() {
		Analyze(text)
	}
}
