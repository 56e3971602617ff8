package sentiment

import (
	"bufio"
	_ "embed"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// VADER's lexicon (word → mean valence from -4 to 4) and its emoji descriptions,
// vendored unchanged from github.com/cjhutto/vaderSentiment (MIT, lexicon/LICENSE.txt).
var (
	//go:embed lexicon/vader_lexicon.txt
	vaderLexicon string
	//go:embed lexicon/emoji_utf8_lexicon.txt
	emojiLexicon string
)

var (
	loadOnce sync.Once
	lex      map[string]float64
	emoji    map[rune]string
)

func lexicon() map[string]float64 {
	loadOnce.Do(load)
	return lex
}

func load() {
	lex = make(map[string]float64, 7600)
	sc := bufio.NewScanner(strings.NewReader(vaderLexicon))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 2 {
			continue
		}
		if v, err := strconv.ParseFloat(f[1], 64); err == nil {
			lex[f[0]] = v
		}
	}
	for w, v := range domainLexicon {
		lex[w] = v
	}
	for _, w := range notSentiment {
		delete(lex, w)
	}
	emoji = make(map[rune]string, 3600)
	sc = bufio.NewScanner(strings.NewReader(emojiLexicon))
	for sc.Scan() {
		e, desc, ok := strings.Cut(sc.Text(), "\t")
		if r := []rune(e); ok && len(r) == 1 {
			emoji[r[0]] = desc
		}
	}
}

// domainLexicon adds words that carry sentiment in customer feedback but are missing
// from VADER's general lexicon, valences on VADER's -4..4 scale. Written for this
// project (not tuned on any evaluation data).
var domainLexicon = map[string]float64{
	"buggy": -1.8, "crashes": -2.0, "crashing": -2.0, "crashed": -2.0, "unusable": -2.8,
	"laggy": -1.6, "sluggish": -1.4, "unresponsive": -1.8, "glitchy": -1.6, "overpriced": -1.8,
	"outage": -1.9, "downtime": -1.5, "unreliable": -1.9, "clunky": -1.4, "confusing": -1.3,
}

// notSentiment are VADER entries that in feedback are plain nouns: "support" is the
// team people write about ("support never answered"), not approval.
var notSentiment = []string{"support", "supported", "supporting", "supports"}

// tokens are text's words as VADER splits them: emoji replaced by their
// descriptions, split on spaces, punctuation trimmed unless that leaves a word of
// two letters or fewer (so ":)" and ":(" survive), single characters dropped.
func tokens(text string) []string {
	lexicon()
	var b strings.Builder
	for _, r := range text {
		if d, ok := emoji[r]; ok {
			b.WriteString(" " + d + " ")
			continue
		}
		b.WriteRune(r)
	}
	var out []string
	for _, w := range strings.Fields(b.String()) {
		if s := strings.TrimFunc(w, isASCIIPunct); len([]rune(s)) > 2 {
			w = s
		}
		if len([]rune(w)) > 1 {
			out = append(out, w)
		}
	}
	return out
}

func isASCIIPunct(r rune) bool {
	return r < 128 && unicode.IsPunct(r) || strings.ContainsRune("$+<=>^`|~", r)
}

func isUpper(w string) bool {
	hasUpper := false
	for _, r := range w {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			hasUpper = true
		}
	}
	return hasUpper
}

// allCapsDiffers is true when some but not all words are in capitals: only then
// does a word in capitals stand out.
func allCapsDiffers(words []string) bool {
	n := 0
	for _, w := range words {
		if isUpper(w) {
			n++
		}
	}
	return n > 0 && n < len(words)
}

var negators = setOf(`aint arent cannot cant couldnt darent didnt doesnt ain't aren't can't couldn't daren't didn't
	doesn't dont hadnt hasnt havent isnt mightnt mustnt neither don't hadn't hasn't haven't isn't mightn't mustn't
	neednt needn't never none nope nor not nothing nowhere oughtnt shant shouldnt uhuh wasnt werent oughtn't shan't
	shouldn't uh-uh wasn't weren't without wont wouldnt won't wouldn't rarely seldom despite`)

var boosters = func() map[string]float64 {
	m := map[string]float64{}
	for w := range setOf(`absolutely amazingly awfully completely considerable considerably decidedly deeply effing
		enormous enormously entirely especially exceptional exceptionally extreme extremely fabulously flipping flippin
		frackin fracking fricking frickin frigging friggin fully fuckin fucking fuggin fugging greatly hella highly
		hugely incredible incredibly intensely major majorly more most particularly purely quite really remarkably so
		substantially thoroughly total totally tremendous tremendously uber unbelievably unusually utter utterly very`) {
		m[w] = bIncr
	}
	for w := range setOf(`almost barely hardly kinda kindof kind-of less little marginal marginally occasional
		occasionally partly scarce scarcely slight slightly somewhat sorta sortof sort-of`) {
		m[w] = bDecr
	}
	return m
}()

func setOf(words string) map[string]struct{} {
	m := map[string]struct{}{}
	for _, w := range strings.Fields(words) {
		m[w] = struct{}{}
	}
	return m
}
