package suggest

import (
	"math"
	"testing"
)

// Any text — mis-encoded bytes, emoji, huge words, clitics at the edges —
// predicts valid scores (each in [0, 1], summing to at most 1 on
// single-label data, best first) and searches the index without panicking.
func FuzzPredict(f *testing.F) {
	m, err := Train(corpus(6), Options{Seed: 1})
	if err != nil {
		f.Fatal(err)
	}
	x := NewIndex()
	for i, e := range corpus(3) {
		x.Add(string(rune('a'+i)), e.Text)
	}
	for _, s := range []string{"refund my order", "", "'", "isn't'", "😡😡 £5\xff", "a'b'c'd", "\u0301\u200d", "dont' im'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := m.Predict(text, 3, Taxonomy{})
		var sum float64
		for i, s := range got {
			if math.IsNaN(s.Score) || s.Score < 0 || s.Score > 1 || (i > 0 && s.Score > got[i-1].Score) {
				t.Fatalf("Predict(%q) = %v", text, got)
			}
			sum += s.Score
		}
		if sum > 1+1e-6 {
			t.Fatalf("Predict(%q) scores sum to %v", text, sum)
		}
		for _, r := range x.Similar(text, 3) {
			if math.IsNaN(r.Score) || r.Score > 1+1e-5 {
				t.Fatalf("Similar(%q) = %v", text, r)
			}
		}
	})
}
