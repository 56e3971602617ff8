package suggest

import "testing"

// BenchmarkTrain10k trains on 10,000 synthetic examples over 77 tags (the
// size of the Banking77 training set), calibration included.
func BenchmarkTrain10k(b *testing.B) {
	ex := syntheticExamples(10000, 77, 1)
	loadedWordVectors()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Train(ex, Options{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPredict(b *testing.B) {
	ex := syntheticExamples(10000, 77, 1)
	m, err := Train(ex, Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Predict(ex[i%len(ex)].Text, 3, Taxonomy{})
	}
}

func BenchmarkIndexSimilar10k(b *testing.B) {
	ex := syntheticExamples(10000, 77, 2)
	x := NewIndex()
	for i, e := range ex {
		x.Add(string(rune('a'+i%26))+e.Tags[0]+string(rune(i)), e.Text)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		x.Similar(ex[i%len(ex)].Text, 5)
	}
}
