package suggest

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// EvalMain implements `closeloop eval suggest`: train on one CSV, score on
// another, print accuracy, calibration and speed figures.
//
//	--train FILE     training CSV (columns text, label|category, or another name
//	                 ReadExamplesCSV accepts; tab-separated too; "a|b" = two tags)
//	--test FILE      test CSV; omit and pass --dev F to score on a held-out
//	                 fraction F of --train instead (for tuning)
//	--k-shot N       sample N training examples per tag (per seed)
//	--seeds S        number of seeds 0..S-1 (default 5 with --k-shot, else 1)
//	--k K            size of the suggestion list scored by top-K recall (3)
//
// Multi-label predictions for F1: the top tag, plus every further tag whose
// calibrated probability reaches the model's Threshold (fitted on a
// held-out split at train time). The remaining flags override training
// options and exist for tuning; the defaults are what Train uses.
func EvalMain(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("eval suggest", flag.ContinueOnError)
	fs.SetOutput(stdout)
	trainPath := fs.String("train", "", "training CSV `file`")
	testPath := fs.String("test", "", "test CSV `file`")
	dev := fs.Float64("dev", 0, "without --test: score on this held-out `fraction` of --train")
	folds := fs.Int("folds", 0, "without --test: `K`-fold cross-validation on --train (every text scored once; less noisy than --dev)")
	kShot := fs.Int("k-shot", 0, "sample `N` training examples per tag")
	seeds := fs.Int("seeds", 0, "number of seeds (default 5 with --k-shot, else 1)")
	k := fs.Int("k", 3, "suggestions scored by top-K recall")
	def := DefaultFeatures
	c := fs.Float64("c", defaultC, "tuning: inverse regularisation strength")
	epochs := fs.Int("epochs", defaultEpochs, "tuning: solver passes per tag")
	nbw := fs.Float64("nb-weight", 0, "tuning: naive Bayes weight in the product of experts (0: by examples per tag; <0 disables)")
	nba := fs.Float64("nb-alpha", defaultNBAlpha, "tuning: naive Bayes smoothing")
	tol := fs.Float64("tol", defaultTol, "tuning: solver stopping tolerance")
	holdout := fs.Float64("holdout", defaultHoldOut, "tuning: calibration hold-out fraction (<0 disables)")
	wn := fs.Int("word-ngrams", def.WordNgrams, "tuning: word n-gram order")
	cmin := fs.Int("char-min", def.CharMin, "tuning: shortest character n-gram")
	cmax := fs.Int("char-max", def.CharMax, "tuning: longest character n-gram (0 disables)")
	mindf := fs.Int("min-df", def.MinDF, "tuning: minimum document frequency")
	maxf := fs.Int("max-features", def.MaxFeatures, "tuning: sparse vocabulary cap (most frequent kept)")
	ww := fs.Float64("word-weight", float64(def.WordWeight), "tuning: word block weight")
	cw := fs.Float64("char-weight", float64(def.CharWeight), "tuning: char block weight")
	vw := fs.Float64("vec-weight", float64(def.VecWeight), "tuning: word-vector block weight (0 disables)")
	vp := fs.Int("vec-pool", def.VecPool, "tuning: 1 mean, 2 +max, 3 +max+min")
	ldaW := fs.Float64("lda-weight", 0, "tuning: weight of the discriminant-analysis expert (0: by examples per tag; <0 disables)")
	mlpW := fs.Float64("mlp-weight", 0, "tuning: weight of the neural-network expert (0: by examples per tag; <0 disables)")
	nameRep := fs.Int("name-repeat", defaultNameRepeat, "tuning: times each tag's name is added as a training text (<0: names unused)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *trainPath == "" || (*testPath == "" && *dev <= 0 && *folds < 2) {
		return errors.New("eval suggest: need --train FILE and --test FILE (or --dev FRACTION, or --folds K)")
	}
	if *folds > 0 && (*testPath != "" || *dev > 0) {
		return errors.New("eval suggest: --folds replaces --test and --dev")
	}
	if *k < 1 {
		return errors.New("eval suggest: --k must be at least 1")
	}
	if *seeds <= 0 {
		*seeds = 1
		if *kShot > 0 {
			*seeds = 5
		}
	}
	trainEx, testEx, err := readEvalFiles(*trainPath, *testPath, *dev)
	if err != nil {
		return err
	}
	testName := *testPath
	if *testPath == "" && *dev > 0 {
		testName = fmt.Sprintf("%.0f%% of %s held out (dev split)", *dev*100, *trainPath)
	}
	opts := Options{
		Features: FeatureOptions{
			WordNgrams: *wn, CharMin: *cmin, CharMax: *cmax, MinDF: *mindf, MaxFeatures: *maxf,
			WordWeight: float32(*ww), CharWeight: float32(*cw), VecWeight: float32(*vw),
			VecPool: *vp,
		},
		C: *c, Epochs: *epochs, HoldOut: *holdout, NBWeight: *nbw, NBAlpha: *nba, Tol: *tol,
		NameRepeat: *nameRep, LDAWeight: *ldaW, MLPWeight: *mlpW, TagNames: tagNames(trainEx),
	}
	fmt.Fprintf(stdout, "train: %s: %d examples, %d tags\n", *trainPath, len(trainEx), countTags(trainEx))
	// One run per seed on the given split, or one per fold.
	type run struct {
		fit, test []Example
		seed      uint64
	}
	var plan []run
	over := "seeds"
	if *folds > 1 {
		fmt.Fprintf(stdout, "test:  %d-fold cross-validation on the training file\n", *folds)
		for f := 0; f < *folds; f++ {
			fit, held := foldSplit(trainEx, *folds, f)
			if len(held) == 0 {
				return fmt.Errorf("--folds %d: fold %d has no texts to score (no tag in %s has %d examples); use fewer folds", *folds, f+1, *trainPath, f+1)
			}
			plan = append(plan, run{fit, held, uint64(f)})
		}
		over = fmt.Sprintf("%d folds", *folds)
	} else {
		fmt.Fprintf(stdout, "test:  %s: %d examples, %d tags\n", testName, len(testEx), countTags(testEx))
		for s := 0; s < *seeds; s++ {
			plan = append(plan, run{trainEx, testEx, uint64(s)})
		}
	}
	var runs []evalResult
	for _, p := range plan {
		ex := p.fit
		if *kShot > 0 {
			ex = sampleKShot(ex, *kShot, p.seed)
		}
		opts.Seed = p.seed
		r, err := evaluate(ex, p.test, opts, *k)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	printResults(stdout, runs, over, *kShot, *k)
	return nil
}

// tagNames maps every tag to itself: in a CSV the tag is its name.
func tagNames(ex []Example) map[string]string {
	names := map[string]string{}
	for _, e := range ex {
		for _, t := range e.Tags {
			names[t] = t
		}
	}
	return names
}

func countTags(ex []Example) int {
	seen := map[string]bool{}
	for _, e := range ex {
		for _, t := range e.Tags {
			seen[t] = true
		}
	}
	return len(seen)
}

// groupByFirstTag returns example indices per first tag, tags sorted, so
// sampling does not depend on map order.
func groupByFirstTag(ex []Example) ([]string, map[string][]int) {
	by := map[string][]int{}
	for i, e := range ex {
		by[e.Tags[0]] = append(by[e.Tags[0]], i)
	}
	tags := make([]string, 0, len(by))
	for t := range by {
		tags = append(tags, t)
	}
	sort.Strings(tags)
	return tags, by
}

// sampleKShot draws n examples per tag without replacement (all of them when
// a tag has fewer), grouping multi-label examples by their first tag — the
// per-intent sampling used by DialoGLUE's few-shot splits.
func sampleKShot(ex []Example, n int, seed uint64) []Example {
	tags, by := groupByFirstTag(ex)
	rng := rand.New(rand.NewPCG(seed, 0x5407))
	var out []Example
	for _, t := range tags {
		rows := slices.Clone(by[t])
		rng.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
		for _, i := range rows[:min(n, len(rows))] {
			out = append(out, ex[i])
		}
	}
	return out
}

// foldSplit returns the fit and held-out parts of fold f of k: each tag's
// examples are shuffled with a fixed seed and dealt round-robin into k
// folds, so every example is held out exactly once across the k folds.
func foldSplit(ex []Example, k, f int) (fit, held []Example) {
	tags, by := groupByFirstTag(ex)
	rng := rand.New(rand.NewPCG(20240601, 0xF01D))
	for _, t := range tags {
		rows := slices.Clone(by[t])
		rng.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
		for j, i := range rows {
			if j%k == f {
				held = append(held, ex[i])
			} else {
				fit = append(fit, ex[i])
			}
		}
	}
	return fit, held
}

// devSplit holds out a stratified fraction of a training file for tuning,
// with a fixed seed so every tuning run sees the same split.
func devSplit(ex []Example, frac float64) (train, dev []Example) {
	tags, by := groupByFirstTag(ex)
	rng := rand.New(rand.NewPCG(20240601, 0xDE7))
	for _, t := range tags {
		rows := slices.Clone(by[t])
		rng.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
		n := min(int(frac*float64(len(rows))+0.5), len(rows)-1)
		for j, i := range rows {
			if j < n {
				dev = append(dev, ex[i])
			} else {
				train = append(train, ex[i])
			}
		}
	}
	return train, dev
}

type evalResult struct {
	trainExamples int
	trainTime     time.Duration
	top1, topK    float64
	microF1       float64
	macroF1       float64
	ece           float64
	p50, p99      time.Duration
	bucketHit     [len(bucketNames)]int
	bucketN       [len(bucketNames)]int
	unseen        int
}

var bucketNames = [...]string{"1-4", "5-9", "10-19", "20-49", "50+"}

func bucketOf(n int) int {
	switch {
	case n < 5:
		return 0
	case n < 10:
		return 1
	case n < 20:
		return 2
	case n < 50:
		return 3
	}
	return 4
}

func evaluate(train, test []Example, opts Options, k int) (evalResult, error) {
	var r evalResult
	r.trainExamples = len(train)
	start := time.Now()
	m, err := Train(train, opts)
	if err != nil {
		return r, err
	}
	r.trainTime = time.Since(start)
	counts := map[string]int{}
	for i, t := range m.tags {
		counts[t] = int(m.nEx[i])
	}
	tp, fp, fn := map[string]float64{}, map[string]float64{}, map[string]float64{}
	lat := make([]time.Duration, 0, len(test))
	const bins = 15
	var binN, binConf, binAcc [bins]float64
	for _, ex := range test {
		gold := opts.Taxonomy.Labels(ex.Tags)
		t0 := time.Now()
		sug := m.Predict(ex.Text, k, Taxonomy{})
		lat = append(lat, time.Since(t0))
		if _, ok := counts[gold[0]]; !ok {
			r.unseen++
		}
		hit := len(sug) > 0 && slices.Contains(gold, sug[0].Tag)
		if hit {
			r.top1++
		}
		found := 0
		for _, s := range sug {
			if slices.Contains(gold, s.Tag) {
				found++
			}
		}
		r.topK += float64(found) / float64(len(gold))
		b := bucketOf(counts[gold[0]])
		if counts[gold[0]] > 0 {
			r.bucketN[b]++
			if hit {
				r.bucketHit[b]++
			}
		}
		if len(sug) > 0 {
			bi := min(int(sug[0].Score*bins), bins-1)
			binN[bi]++
			binConf[bi] += sug[0].Score
			if hit {
				binAcc[bi]++
			}
		}
		// Multi-label prediction set: top tag plus tags above threshold.
		var pred []string
		if p := m.probabilities(ex.Text); p != nil {
			for _, i := range predictedSet(p, m.tau) {
				pred = append(pred, m.tags[i])
			}
		}
		for _, t := range pred {
			if slices.Contains(gold, t) {
				tp[t]++
			} else {
				fp[t]++
			}
		}
		for _, g := range gold {
			if !slices.Contains(pred, g) {
				fn[g]++
			}
		}
	}
	n := float64(len(test))
	r.top1 /= n
	r.topK /= n
	for i := range binN {
		if binN[i] > 0 {
			r.ece += math.Abs(binConf[i]-binAcc[i]) / n
		}
	}
	var stp, sfp, sfn float64
	labels := map[string]bool{}
	for _, mm := range []map[string]float64{tp, fp, fn} {
		for t, x := range mm {
			labels[t] = true
			_ = x
		}
	}
	for t := range labels {
		stp, sfp, sfn = stp+tp[t], sfp+fp[t], sfn+fn[t]
		r.macroF1 += 2 * tp[t] / max(2*tp[t]+fp[t]+fn[t], 1)
	}
	r.macroF1 /= float64(max(len(labels), 1))
	r.microF1 = 2 * stp / max(2*stp+sfp+sfn, 1)
	slices.Sort(lat)
	r.p50 = lat[len(lat)/2]
	r.p99 = lat[min(len(lat)-1, int(math.Ceil(0.99*float64(len(lat))))-1)]
	return r, nil
}

// stat formats mean, and min–max when there are several runs.
func stat(runs []evalResult, f func(evalResult) float64, format string) string {
	var s, lo, hi float64
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, r := range runs {
		x := f(r)
		s += x
		lo, hi = min(lo, x), max(hi, x)
	}
	mean := s / float64(len(runs))
	if len(runs) == 1 {
		return fmt.Sprintf(format, mean)
	}
	return fmt.Sprintf(format+"\t("+format+" – "+format+")", mean, lo, hi)
}

// printResults prints the mean (and range) of runs; over names what the
// runs differ in ("seeds", "5 folds").
func printResults(w io.Writer, runs []evalResult, over string, kShot, k int) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if !strings.Contains(over, " ") {
		over = fmt.Sprintf("%d %s", len(runs), over)
	}
	if kShot > 0 {
		fmt.Fprintf(tw, "setting:\t%d-shot, mean (min – max) over %s\n", kShot, over)
	} else if len(runs) > 1 {
		fmt.Fprintf(tw, "setting:\tfull training data, mean (min – max) over %s\n", over)
	} else {
		fmt.Fprintf(tw, "setting:\tfull training data\n")
	}
	fmt.Fprintf(tw, "training examples:\t%s\n", stat(runs, func(r evalResult) float64 { return float64(r.trainExamples) }, "%.0f"))
	if runs[0].unseen > 0 {
		fmt.Fprintf(tw, "test examples with a tag never trained on:\t%d\n", runs[0].unseen)
	}
	fmt.Fprintf(tw, "training time (s):\t%s\n", stat(runs, func(r evalResult) float64 { return r.trainTime.Seconds() }, "%.2f"))
	fmt.Fprintf(tw, "top-1 accuracy:\t%s\n", stat(runs, func(r evalResult) float64 { return r.top1 }, "%.4f"))
	fmt.Fprintf(tw, "top-%d recall:\t%s\n", k, stat(runs, func(r evalResult) float64 { return r.topK }, "%.4f"))
	fmt.Fprintf(tw, "micro F1:\t%s\n", stat(runs, func(r evalResult) float64 { return r.microF1 }, "%.4f"))
	fmt.Fprintf(tw, "macro F1:\t%s\n", stat(runs, func(r evalResult) float64 { return r.macroF1 }, "%.4f"))
	fmt.Fprintf(tw, "calibration error (ECE, top-1):\t%s\n", stat(runs, func(r evalResult) float64 { return r.ece }, "%.4f"))
	fmt.Fprintf(tw, "predict latency p50 (ms):\t%s\n", stat(runs, func(r evalResult) float64 { return r.p50.Seconds() * 1e3 }, "%.3f"))
	fmt.Fprintf(tw, "predict latency p99 (ms):\t%s\n", stat(runs, func(r evalResult) float64 { return r.p99.Seconds() * 1e3 }, "%.3f"))
	fmt.Fprintf(tw, "top-1 accuracy by training examples per tag:\n")
	for b, name := range bucketNames {
		n := 0
		for _, r := range runs {
			n += r.bucketN[b]
		}
		if n == 0 {
			continue
		}
		fmt.Fprintf(tw, "  %s examples:\t%s\t[%d test examples]\n", name, stat(runs, func(r evalResult) float64 {
			return float64(r.bucketHit[b]) / float64(max(r.bucketN[b], 1))
		}, "%.4f"), n/len(runs))
	}
	tw.Flush()
}
