package suggest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenize lower-cases text and splits it into word tokens. Letters and
// digits form words; an apostrophe inside a word starts an English clitic
// that is expanded ("isn't" → "is not", "I'm" → "i am") or dropped (the
// possessive "'s") so that the word-vector table, which has no clitic
// entries, still recognises both halves. Emoji, other symbols and currency
// signs (Unicode categories So and Sc) are one-rune words. Everything else
// separates words.
func tokenize(text string) []string {
	toks := make([]string, 0, 16)
	var b strings.Builder
	flush := func() {
		if b.Len() == 0 {
			return
		}
		toks = appendWord(toks, b.String())
		b.Reset()
	}
	rs := []rune(text)
	for i, r := range rs {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		case (r == '\'' || r == '’') && b.Len() > 0 && i+1 < len(rs) && unicode.IsLetter(rs[i+1]):
			b.WriteByte('\'')
		case unicode.In(r, unicode.So, unicode.Sc) && r != utf8.RuneError:
			// Emoji and other pictographs (👍, 😡, ★) carry much of the
			// meaning of chat messages and app reviews, and currency signs
			// tell "charged in $, not £" apart: each is a word. The
			// replacement character (an undecodable byte) is not.
			flush()
			toks = append(toks, string(r))
		default:
			flush()
		}
	}
	flush()
	return toks
}

// clitics maps English contraction suffixes to the word they stand for;
// "" means drop the suffix.
var clitics = map[string]string{
	"n't": "not", "'m": "am", "'re": "are", "'ve": "have",
	"'ll": "will", "'d": "would", "'s": "",
}

// irregular contractions whose stem changes.
var irregular = map[string][]string{
	"won't": {"will", "not"}, "can't": {"can", "not"}, "shan't": {"shall", "not"},
	"ain't": {"is", "not"}, "let's": {"let", "us"},
}

// bare holds contractions typed without their apostrophe ("dont",
// "didnt"), common in chat and reviews, expanded like their spelled-out
// forms so both spellings share features and word vectors. Forms that are
// also words ("wont", "ill", "id", "its", "lets", "well", "were", "shed")
// are left alone.
var bare = map[string][]string{
	"dont": {"do", "not"}, "didnt": {"did", "not"}, "doesnt": {"does", "not"},
	"cant": {"can", "not"}, "isnt": {"is", "not"}, "arent": {"are", "not"},
	"wasnt": {"was", "not"}, "werent": {"were", "not"}, "hasnt": {"has", "not"},
	"havent": {"have", "not"}, "hadnt": {"had", "not"}, "couldnt": {"could", "not"},
	"wouldnt": {"would", "not"}, "shouldnt": {"should", "not"},
	"im": {"i", "am"}, "ive": {"i", "have"}, "youre": {"you", "are"},
	"youve": {"you", "have"}, "theyre": {"they", "are"}, "whats": {"what", "is"},
	"thats": {"that", "is"}, "theres": {"there", "is"},
}

func appendWord(toks []string, w string) []string {
	if !strings.ContainsRune(w, '\'') {
		if ws, ok := bare[w]; ok {
			return append(toks, ws...)
		}
		return append(toks, w)
	}
	if ws, ok := irregular[w]; ok {
		return append(toks, ws...)
	}
	for suf, exp := range clitics {
		if strings.HasSuffix(w, suf) && len(w) > len(suf) {
			toks = append(toks, strings.ReplaceAll(w[:len(w)-len(suf)], "'", ""))
			if exp != "" {
				toks = append(toks, exp)
			}
			return toks
		}
	}
	return append(toks, strings.ReplaceAll(w, "'", ""))
}
