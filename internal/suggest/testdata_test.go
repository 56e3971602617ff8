package suggest

import (
	"fmt"
	"math/rand/v2"
)

// corpus builds a small deterministic support-ticket corpus: for each tag,
// texts made from its own phrases mixed with shared filler, so a tag can
// only be learnt from its phrases.
func corpus(perTag int) []Example {
	phrases := map[string][]string{
		"billing›refund": {"refund my order", "want my money back", "charged twice please refund", "return the payment", "refund for the purchase"},
		"login":          {"cannot log in", "password reset does not work", "locked out of my account", "login page rejects my password", "two factor code never arrives"},
		"bug›crash":      {"the app crashes on start", "it freezes and closes", "crash when I open settings", "app keeps crashing", "the screen goes black and quits"},
		"feature›dark":   {"please add dark mode", "a dark theme would be nice", "night mode for the app", "the white screen hurts my eyes at night", "support a darker colour scheme"},
		"shipping":       {"where is my parcel", "delivery is late", "package has not arrived", "tracking number does not update", "courier never came"},
	}
	fillers := []string{"hello", "hi team", "thanks", "urgent", "since yesterday", "again", "on my phone", "today", "please help", "as soon as possible"}
	tags := []string{"billing›refund", "login", "bug›crash", "feature›dark", "shipping"}
	rng := rand.New(rand.NewPCG(1, 2))
	var out []Example
	for _, t := range tags {
		for i := 0; i < perTag; i++ {
			p := phrases[t][rng.IntN(len(phrases[t]))]
			f := fillers[rng.IntN(len(fillers))]
			out = append(out, Example{Text: fmt.Sprintf("%s, %s", f, p), Tags: []string{t}})
		}
	}
	return out
}

// syntheticExamples makes n examples over nTags tags from pseudo-words, for
// benchmarks: each text has 4 words from its tag's 12-word vocabulary and 8
// from a shared 2,000-word vocabulary.
func syntheticExamples(n, nTags int, seed uint64) []Example {
	rng := rand.New(rand.NewPCG(seed, 7))
	word := func() string {
		const letters = "abcdefghijklmnopqrstuvwxyz"
		b := make([]byte, 3+rng.IntN(6))
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
		}
		return string(b)
	}
	shared := make([]string, 2000)
	for i := range shared {
		shared[i] = word()
	}
	own := make([][]string, nTags)
	for t := range own {
		for j := 0; j < 12; j++ {
			own[t] = append(own[t], word())
		}
	}
	out := make([]Example, n)
	for i := range out {
		t := rng.IntN(nTags)
		var text []byte
		for j := 0; j < 12; j++ {
			w := shared[rng.IntN(len(shared))]
			if j%3 == 0 {
				w = own[t][rng.IntN(12)]
			}
			text = append(text, w...)
			text = append(text, ' ')
		}
		out[i] = Example{Text: string(text), Tags: []string{fmt.Sprintf("tag%03d", t)}}
	}
	return out
}
