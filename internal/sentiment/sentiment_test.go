package sentiment

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// Expected scores worked by hand from VADER's rules and lexicon values (great 3.1,
// good 1.9, terrible -2.1, love 3.2, please 1.3), compound = s / sqrt(s² + 15).
func TestAnalyze(t *testing.T) {
	cases := []struct {
		text  string
		score float64
		label Label
	}{
		{"This is great", 0.6249, Positive},                             // 3.1
		{"This is not great", -0.5096, Negative},                        // 3.1 × -0.74 = -2.294
		{"Please add an export to CSV", 0.3182, Neutral},                // 1.3, under the 0.35 threshold
		{"Great!!!", 0.7163, Positive},                                  // 3.1 + 3 × 0.292
		{"The app is good but support was terrible", -0.4939, Negative}, // 1.9 × 0.5 − 2.1 × 1.5; "support" is no sentiment here
		{"I love it, it is very good", 0.8122, Positive},                // 3.2 + (1.9 + 0.293 for "very")
		{"", 0, Neutral},
		{"The invoice is attached", 0, Neutral},
	}
	for _, c := range cases {
		got := Analyze(c.text)
		if math.Abs(got.Score-c.score) > 1e-4 || got.Label != c.label {
			t.Errorf("Analyze(%q) = %+v, want %v %v", c.text, got, c.label, c.score)
		}
	}
}

func TestThresholdsLabel(t *testing.T) {
	th := Thresholds{Neg: -0.10, Pos: 0.35}
	for c, want := range map[float64]Label{-0.5: Negative, -0.1: Neutral, -0.0999: Neutral, 0.3499: Neutral, 0.35: Positive, 1: Positive} {
		if got := th.Label(c); got != want {
			t.Errorf("Label(%v) = %v, want %v", c, got, want)
		}
	}
}

func TestAboutService(t *testing.T) {
	for text, want := range map[string]bool{
		"Support took three days to reply":     true,
		"Your agent was rude to me":            true,
		"The response time is awful":           true,
		"The export crashes on large files":    false,
		"Which file formats are supported?":    false, // "supported" is not "support"
		"Dashboards are slow since the update": false,
		"I waited 40 minutes on hold!":         true,
	} {
		if got := AboutService(text); got != want {
			t.Errorf("AboutService(%q) = %v, want %v", text, got, want)
		}
	}
}

// testdata/sample.csv is the table above plus two sentences, with gold labels a
// person gave. "Support has not replied in a week" holds no lexicon word (compound 0):
// neutral, against gold negative, the only miss; "Thanks" (1.9 → 0.4405) is positive.
func TestEvalMainOnSample(t *testing.T) {
	var out bytes.Buffer
	if err := EvalMain([]string{"--test", "testdata/sample.csv"}, &out); err != nil {
		t.Fatal(err)
	}
	first := strings.SplitN(out.String(), "\n", 2)[0]
	// Gold: 3 negative (2 found), 2 neutral (2), 4 positive (4) → recalls 2/3, 1, 1:
	// macro 0.8889; 8 of 9 right: accuracy 0.8889.
	for _, want := range []string{"n=9", "macro_recall=0.8889", "accuracy=0.8889", "recall_negative=0.6667", "recall_neutral=1.0000", "recall_positive=1.0000"} {
		if !strings.Contains(first, want) {
			t.Errorf("report %q lacks %s", first, want)
		}
	}
	if !strings.Contains(out.String(), "negative 2/1/0;") {
		t.Errorf("confusion: %s", out.String())
	}
}

func TestReadCSVNamesTheBadLine(t *testing.T) {
	_, err := ReadCSV(strings.NewReader("text,label\nfine,positive\nbad,happy\n"))
	if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "label") {
		t.Fatalf("err = %v", err)
	}
	exs, err := ReadCSV(strings.NewReader("label,text\n0,a\n2,b\n"))
	if err != nil || len(exs) != 2 || exs[0].Label != Negative || exs[1].Label != Positive || exs[1].Text != "b" {
		t.Fatalf("numeric labels: %+v %v", exs, err)
	}
}

func TestTuneMaximisesMacroRecallOnItsInput(t *testing.T) {
	// Compounds: 0.6249 (great), 0.3182 (please), -0.5096 (not great). With gold
	// positive, positive, negative, the best grid point puts 0.3182 at or above Pos.
	exs := []Example{{"This is great", Positive}, {"Please add an export to CSV", Positive}, {"This is not great", Negative}}
	th := Tune(exs)
	r := Evaluate(exs, func(s string) Label { return th.Label(Compound(s)) })
	if th.Pos > 0.3182 || r.Recall[Positive] != 1 || r.Recall[Negative] != 1 {
		t.Fatalf("tuned %+v: %+v", th, r)
	}
}
