// Package sentiment labels a piece of feedback negative, neutral or positive with a
// score in [-1, 1]. It is VADER's rules (Hutto & Gilbert, ICWSM 2014) over VADER's
// own lexicon, vendored in lexicon/ under its MIT licence, with the thresholds between
// the three labels chosen on TweetEval's validation split (see RESULTS.md). Pure Go:
// nothing is downloaded or trained at run time.
package sentiment

import (
	"math"
	"strings"
)

// Label is the three-way sentiment of a text.
type Label string

const (
	Negative Label = "negative"
	Neutral  Label = "neutral"
	Positive Label = "positive"
)

// Valid reports whether l is one of the three labels.
func (l Label) Valid() bool { return l == Negative || l == Neutral || l == Positive }

// Result is a text's sentiment: the label and VADER's compound score, from -1 (most
// negative) to 1 (most positive).
type Result struct {
	Label Label   `json:"label"`
	Score float64 `json:"score"`
}

// Thresholds split the compound score into labels: below Neg is negative, at or
// above Pos is positive, between is neutral. VADER's authors suggest ±0.05; the
// defaults were chosen on TweetEval's validation split (RESULTS.md).
type Thresholds struct{ Neg, Pos float64 }

// Default is the thresholds the product uses.
var Default = Thresholds{Neg: -0.10, Pos: 0.35}

// Analyze returns text's sentiment with the default thresholds.
func Analyze(text string) Result { return Default.Analyze(text) }

// Analyze returns text's sentiment with thresholds t.
func (t Thresholds) Analyze(text string) Result {
	c := Compound(text)
	return Result{Label: t.Label(c), Score: math.Round(c*1e4) / 1e4}
}

// Label maps a compound score to a label.
func (t Thresholds) Label(c float64) Label {
	switch {
	case c < t.Neg:
		return Negative
	case c >= t.Pos:
		return Positive
	}
	return Neutral
}

// Compound is VADER's normalised sum of the valences of text's words, in [-1, 1].
func Compound(text string) float64 {
	words := tokens(text)
	if len(words) == 0 {
		return 0
	}
	capDiff := allCapsDiffers(words)
	vals := make([]float64, len(words))
	for i, w := range words {
		lw := strings.ToLower(w)
		if _, ok := boosters[lw]; ok {
			continue
		}
		if i+1 < len(words) && lw == "kind" && strings.ToLower(words[i+1]) == "of" {
			continue
		}
		vals[i] = valence(words, i, capDiff)
	}
	butRule(words, vals)
	sum := 0.0
	for _, v := range vals {
		sum += v
	}
	if sum != 0 {
		if sum > 0 {
			sum += punctuationEmphasis(text)
		} else {
			sum -= punctuationEmphasis(text)
		}
	}
	c := sum / math.Sqrt(sum*sum+alpha)
	return math.Max(-1, math.Min(1, c))
}

const (
	alpha    = 15     // VADER's normalisation constant
	bIncr    = 0.293  // a booster's increment
	bDecr    = -0.293 // a dampener's
	capIncr  = 0.733  // a word in capitals among words that are not
	nScalar  = -0.74  // negation flips and dampens
	butLess  = 0.5    // before "but"
	butMore  = 1.5    // after it
	exclaimW = 0.292  // each "!" up to four
)

// valence is word i's valence after capitals, boosters and negation up to three
// words back.
func valence(words []string, i int, capDiff bool) float64 {
	lw := strings.ToLower(words[i])
	v, ok := lexicon()[lw]
	if !ok {
		return 0
	}
	// "no" is negative alone but a negator before a word of the lexicon.
	if lw == "no" && i+1 < len(words) {
		if _, next := lexicon()[strings.ToLower(words[i+1])]; next {
			v = 0
		}
	}
	if (i > 0 && strings.ToLower(words[i-1]) == "no") || (i > 1 && strings.ToLower(words[i-2]) == "no") ||
		(i > 2 && strings.ToLower(words[i-3]) == "no" && (strings.ToLower(words[i-1]) == "or" || strings.ToLower(words[i-1]) == "nor")) {
		v *= nScalar
	}
	if capDiff && isUpper(words[i]) {
		if v > 0 {
			v += capIncr
		} else {
			v -= capIncr
		}
	}
	for back := 1; back <= 3; back++ {
		if i < back {
			break
		}
		prev := strings.ToLower(words[i-back])
		if _, inLex := lexicon()[prev]; inLex {
			continue
		}
		s := boost(words[i-back], v, capDiff)
		switch back {
		case 2:
			s *= 0.95
		case 3:
			s *= 0.9
		}
		v += s
		v = negation(words, i, back, v)
	}
	// "at least", "very least": "least" before a word softens it like a negator.
	if i > 0 {
		p := strings.ToLower(words[i-1])
		if _, inLex := lexicon()[p]; !inLex && p == "least" {
			if i < 2 || (strings.ToLower(words[i-2]) != "at" && strings.ToLower(words[i-2]) != "very") {
				v *= nScalar
			}
		}
	}
	return v
}

func boost(word string, v float64, capDiff bool) float64 {
	b, ok := boosters[strings.ToLower(word)]
	if !ok {
		return 0
	}
	if v < 0 {
		b = -b
	}
	if capDiff && isUpper(word) {
		if v > 0 {
			b += capIncr
		} else {
			b -= capIncr
		}
	}
	return b
}

func negation(words []string, i, back int, v float64) float64 {
	lw := func(k int) string { return strings.ToLower(words[k]) }
	switch back {
	case 1:
		if negated(lw(i - 1)) {
			return v * nScalar
		}
	case 2:
		if lw(i-2) == "never" && (lw(i-1) == "so" || lw(i-1) == "this") {
			return v * 1.25
		}
		if lw(i-2) == "without" && lw(i-1) == "doubt" {
			return v
		}
		if negated(lw(i - 2)) {
			return v * nScalar
		}
	case 3:
		if lw(i-3) == "never" && (lw(i-2) == "so" || lw(i-2) == "this" || lw(i-1) == "so" || lw(i-1) == "this") {
			return v * 1.25
		}
		if lw(i-3) == "without" && (lw(i-2) == "doubt" || lw(i-1) == "doubt") {
			return v
		}
		if negated(lw(i - 3)) {
			return v * nScalar
		}
	}
	return v
}

func negated(w string) bool {
	if _, ok := negators[w]; ok {
		return true
	}
	return strings.Contains(w, "n't")
}

// butRule weighs what follows "but" over what precedes it.
func butRule(words []string, vals []float64) {
	for bi, w := range words {
		if strings.ToLower(w) != "but" {
			continue
		}
		for k := range vals {
			if k < bi {
				vals[k] *= butLess
			} else if k > bi {
				vals[k] *= butMore
			}
		}
		return
	}
}

func punctuationEmphasis(text string) float64 {
	e := float64(min(strings.Count(text, "!"), 4)) * exclaimW
	if q := strings.Count(text, "?"); q > 1 {
		if q <= 3 {
			e += float64(q) * 0.18
		} else {
			e += 0.96
		}
	}
	return e
}
