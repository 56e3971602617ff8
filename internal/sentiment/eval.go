package sentiment

import (
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Example is one labelled text.
type Example struct {
	Text  string
	Label Label
}

// ReadCSV reads a labelled file with a header naming the columns text and label
// (negative, neutral or positive; 0, 1, 2 as TweetEval numbers them are accepted).
func ReadCSV(r io.Reader) ([]Example, error) {
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("sentiment: read the header: %w", err)
	}
	ti, li := -1, -1
	for i, h := range head {
		switch strings.TrimSpace(strings.ToLower(h)) {
		case "text":
			ti = i
		case "label":
			li = i
		}
	}
	if ti < 0 || li < 0 {
		return nil, errors.New("sentiment: the header must name the columns text and label")
	}
	var out []Example
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("sentiment: line %d: %w", line, err)
		}
		l := Label(strings.TrimSpace(rec[li]))
		switch l {
		case "0":
			l = Negative
		case "1":
			l = Neutral
		case "2":
			l = Positive
		}
		if !l.Valid() {
			return nil, fmt.Errorf("sentiment: line %d, column label: %q is not negative, neutral or positive", line, rec[li])
		}
		out = append(out, Example{Text: rec[ti], Label: l})
	}
}

// Report is how a labeller did on a labelled set.
type Report struct {
	N           int
	Accuracy    float64
	MacroRecall float64 // the mean of the three classes' recalls: SemEval-2017's measure
	Recall      map[Label]float64
	Confusion   map[Label]map[Label]int // gold → predicted → count
}

var labels = []Label{Negative, Neutral, Positive}

// Evaluate labels each example's text with predict and scores it against the gold label.
func Evaluate(exs []Example, predict func(string) Label) Report {
	r := Report{N: len(exs), Recall: map[Label]float64{}, Confusion: map[Label]map[Label]int{}}
	for _, l := range labels {
		r.Confusion[l] = map[Label]int{}
	}
	right := 0
	for _, e := range exs {
		p := predict(e.Text)
		r.Confusion[e.Label][p]++
		if p == e.Label {
			right++
		}
	}
	if r.N == 0 {
		return r
	}
	r.Accuracy = float64(right) / float64(r.N)
	for _, l := range labels {
		total := 0
		for _, n := range r.Confusion[l] {
			total += n
		}
		if total > 0 {
			r.Recall[l] = float64(r.Confusion[l][l]) / float64(total)
		}
		r.MacroRecall += r.Recall[l] / float64(len(labels))
	}
	return r
}

// Tune chooses the thresholds that maximise macro recall on exs, on a grid of 0.05.
// Use a training or validation split, never the test split.
func Tune(exs []Example) Thresholds {
	comp := make([]float64, len(exs))
	for i, e := range exs {
		comp[i] = Compound(e.Text)
	}
	best, bestR := Default, -1.0
	for n := -0.80; n <= 0.0001; n += 0.05 {
		for p := 0.0; p <= 0.80001; p += 0.05 {
			t := Thresholds{Neg: round2(n), Pos: round2(p)}
			i := 0
			r := Evaluate(exs, func(string) Label { c := comp[i]; i++; return t.Label(c) })
			if r.MacroRecall > bestR {
				best, bestR = t, r.MacroRecall
			}
		}
	}
	return best
}

func round2(x float64) float64 { return float64(int64(x*100+sign(x)*0.5)) / 100 }

func sign(x float64) float64 {
	if x < 0 {
		return -1
	}
	return 1
}

// EvalMain is `closeloop eval sentiment --test FILE [--train FILE]`: it scores the
// product's labeller on the test file; with --train it first chooses thresholds on
// the training (or validation) file and scores those too.
func EvalMain(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("eval sentiment", flag.ContinueOnError)
	fs.SetOutput(stdout)
	test := fs.String("test", "", "labelled CSV (text,label) to score")
	train := fs.String("train", "", "labelled CSV to choose the thresholds on (never the test split)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *test == "" {
		return errors.New("usage: closeloop eval sentiment --test FILE [--train FILE]")
	}
	testEx, err := readFile(*test)
	if err != nil {
		return err
	}
	print := func(name string, t Thresholds) {
		r := Evaluate(testEx, func(s string) Label { return t.Label(Compound(s)) })
		fmt.Fprintf(stdout, "%s (negative < %.2f, positive >= %.2f) on %s: n=%d macro_recall=%.4f accuracy=%.4f recall_negative=%.4f recall_neutral=%.4f recall_positive=%.4f\n",
			name, t.Neg, t.Pos, *test, r.N, r.MacroRecall, r.Accuracy, r.Recall[Negative], r.Recall[Neutral], r.Recall[Positive])
		fmt.Fprintf(stdout, "  confusion (gold → predicted negative/neutral/positive):")
		for _, g := range labels {
			fmt.Fprintf(stdout, " %s %d/%d/%d;", g, r.Confusion[g][Negative], r.Confusion[g][Neutral], r.Confusion[g][Positive])
		}
		fmt.Fprintln(stdout)
	}
	print("default", Default)
	print("vader ±0.05", Thresholds{Neg: -0.05, Pos: 0.05})
	if *train != "" {
		trainEx, err := readFile(*train)
		if err != nil {
			return err
		}
		print("tuned on "+*train, Tune(trainEx))
	}
	return nil
}

func readFile(path string) ([]Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadCSV(f)
}
