package suggest

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode"
)

// Example is one text the team tagged. Tags may hold several tags
// (multi-label) and may name tags at any depth of the taxonomy.
type Example struct {
	Text string
	Tags []string
}

// Suggestion is one proposed tag. Score is a calibrated probability that
// the tag is right for the text: on single-label training data the scores
// of all tags sum to at most 1 (probability that this is the tag); when at
// least 5% of training examples carry several tags, each score is the
// independent probability that the tag applies.
type Suggestion struct {
	Tag   string
	Score float64
}

// Options configure Train. The zero value means "use the defaults", so
// callers normally set only Seed and Taxonomy.
type Options struct {
	// Seed makes training deterministic: same examples, same options,
	// same seed → identical model.
	Seed uint64
	// Taxonomy resolves merged tags and ancestor tags in the examples.
	Taxonomy Taxonomy
	// Features overrides the text representation (zero value: defaults).
	Features FeatureOptions
	// NoWordVectors disables the embedded English word vectors.
	NoWordVectors bool
	// C is the inverse regularisation strength (0: default).
	C float64
	// Epochs bounds solver passes per tag (0: default).
	Epochs int
	// HoldOut is the fraction of examples set aside to calibrate scores
	// before the final fit on everything (0: default 0.2; <0: no
	// calibration, temperature 1).
	HoldOut float64
	// NBWeight is the weight of a multinomial naive Bayes scorer over the
	// sparse features in the product of experts with the SVM (0: by
	// examples per tag, see nbWeightFor; <0: SVM only). Used for
	// single-label data only.
	NBWeight float64
	// NBAlpha is the naive Bayes expert's Lidstone smoothing (0: default).
	NBAlpha float64
	// Tol is the solver's stopping tolerance on the projected-gradient
	// spread (0: default).
	Tol float64
	// Workers bounds training parallelism (0: GOMAXPROCS).
	Workers int
	// TagNames maps a tag to its human-readable name (e.g. "card_arrival"
	// or "Card arrival"); when set, each named tag's name — preceded by
	// its ancestors' names — is added as a training text for that tag.
	TagNames map[string]string
	// NameRepeat is how many times a tag's name text is added (0:
	// default; <0: names unused).
	NameRepeat int
	// LDAWeight is the weight of a linear discriminant analysis expert
	// over the word-vector block (0: by rule, see ldaWeightFor; <0:
	// unused). Used for single-label data only.
	LDAWeight float64
	// MLPWeight is the weight of a small neural network over the sparse
	// features (0: by rule, see mlpWeightFor; <0: unused). Used for
	// single-label data only.
	MLPWeight float64
}

// DefaultFeatures is the text representation used when Options.Features is
// the zero value.
var DefaultFeatures = FeatureOptions{
	WordNgrams: 2, CharMin: 2, CharMax: 5, MinDF: 1, MaxFeatures: 1 << 16,
	WordWeight: 1, CharWeight: 1, VecWeight: 3, VecPool: 3,
}

const (
	defaultC       = 1.0
	defaultEpochs  = 20
	defaultHoldOut = 0.2
	defaultTol     = 0.1
	// defaultNBAlpha: see RESULTS.md.
	defaultNBAlpha = 0.1
	shrinkAbove    = 0.5
	// defaultNameRepeat: see RESULTS.md.
	defaultNameRepeat = 1
	// maxWork bounds a fit at about ten full passes over the data (what
	// the previous ten-pass limit cost) when shrinking is ineffective.
	maxWork = 10
)

func (o Options) withDefaults() Options {
	if o.Features == (FeatureOptions{}) {
		o.Features = DefaultFeatures
	}
	if o.NoWordVectors {
		o.Features.VecWeight = 0
	}
	if o.C <= 0 {
		o.C = defaultC
	}
	if o.Epochs <= 0 {
		o.Epochs = defaultEpochs
	}
	if o.NBAlpha <= 0 {
		o.NBAlpha = defaultNBAlpha
	}
	if o.Tol <= 0 {
		o.Tol = defaultTol
	}
	if o.HoldOut == 0 {
		o.HoldOut = defaultHoldOut
	}
	if o.NameRepeat == 0 {
		o.NameRepeat = defaultNameRepeat
	}
	return o
}

// Model is a trained tag suggester. It is safe for concurrent Predict calls.
type Model struct {
	tags []string // index → tag
	feat *featurizer
	wq   qmatrix // feature-major weights, nFeatures × len(tags)
	bias []float32
	// novec is added to the margins of a text with no known word (no
	// word vector): the dense block's weights times the training texts'
	// mean word vector, i.e. the missing block is imputed by its mean.
	novec []float32   // nil: no dense block
	cal   calibration // margin → probability, fitted on held-out data
	tau   float64     // multi-label threshold fitted on held-out data
	nEx   []int32     // training examples per tag (for diagnostics)
	net   *mlp        // non-linear expert (nil: none), logits already scaled
	// format is the persistence version the model was read from
	// (persistVersion for a model trained by this build).
	format uint32
}

// Outdated reports whether the model was read from a file written by an
// older build, so retraining would give the current kind of model (a
// version-3 file, say, has no network expert).
func (m *Model) Outdated() bool { return m.format < persistVersion }

// ErrNoExamples is returned by Train when no example has both text and a tag.
var ErrNoExamples = errors.New("suggest: no tagged examples to learn from")

// prepared is the training set after taxonomy resolution and tokenisation.
type prepared struct {
	toks   [][]string
	labels [][]int32
	tags   []string
	real   int // rows before this are examples; after, synthetic texts
}

// nameText is the training text made from a tag's name and its ancestors'
// names ("billing_issues" › "refundNotShowing" → "billing issues refund not
// showing"): underscores, dashes and path separators are word breaks
// already; camel case is split here.
func nameText(tag string, names map[string]string, tax Taxonomy) string {
	var parts []string
	cur := tag
	for i := 0; i < maxChain; i++ {
		if n, ok := names[cur]; ok {
			parts = append(parts, splitCamel(n))
		}
		p, ok := tax.parentOf(cur)
		if !ok {
			break
		}
		cur = p
	}
	slices.Reverse(parts)
	return strings.Join(parts, " ")
}

func splitCamel(s string) string {
	var b strings.Builder
	var prev rune
	for _, r := range s {
		if unicode.IsUpper(r) && unicode.IsLower(prev) {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// addNames appends each named tag's name text to p repeat times; those
// rows come after p.real and are never held out for calibration.
func addNames(p *prepared, names map[string]string, tax Taxonomy, repeat int) {
	for t, tag := range p.tags {
		toks := tokenize(nameText(tag, names, tax))
		if len(toks) == 0 {
			continue
		}
		for r := 0; r < repeat; r++ {
			p.toks = append(p.toks, toks)
			p.labels = append(p.labels, []int32{int32(t)})
		}
	}
}

func prepare(examples []Example, tax Taxonomy) prepared {
	var p prepared
	tagIdx := map[string]int32{}
	for _, ex := range examples {
		ls := tax.Labels(ex.Tags)
		toks := tokenize(ex.Text)
		if len(ls) == 0 || len(toks) == 0 {
			continue
		}
		var ids []int32
		for _, l := range ls {
			id, ok := tagIdx[l]
			if !ok {
				id = int32(len(p.tags))
				tagIdx[l] = id
				p.tags = append(p.tags, l)
			}
			ids = append(ids, id)
		}
		p.toks = append(p.toks, toks)
		p.labels = append(p.labels, ids)
	}
	p.real = len(p.toks)
	return p
}

// Train learns a model from tagged examples. Examples whose text has no
// words or that carry no tag are skipped. With a fixed opts.Seed the result
// is identical on every run and machine.
func Train(examples []Example, opts Options) (*Model, error) {
	opts = opts.withDefaults()
	p := prepare(examples, opts.Taxonomy)
	if len(p.toks) == 0 {
		return nil, ErrNoExamples
	}
	m := &Model{tags: p.tags, cal: calibration{A: 1}, tau: 1, format: persistVersion}
	if opts.TagNames != nil && opts.NameRepeat > 0 {
		addNames(&p, opts.TagNames, opts.Taxonomy, opts.NameRepeat)
	}
	m.nEx = make([]int32, len(p.tags))
	for _, ls := range p.labels[:p.real] {
		for _, l := range ls {
			m.nEx[l]++
		}
	}
	// The featurizer (vocabulary and IDF) is fitted once on all texts: it
	// uses no labels, so the held-out texts contributing to IDF does not
	// leak anything into the calibration below.
	f, err := fitFeaturizer(opts.Features, p.toks, opts.Workers)
	if err != nil {
		return nil, err
	}
	d := newDataset(f.nFeatures(), len(f.idf))
	vecs := make([]sparseVec, len(p.toks))
	parallelChunks(len(p.toks), opts.Workers, func(lo, hi int) {
		var buf []kv
		for i := lo; i < hi; i++ {
			vecs[i], buf = f.vectorize(p.toks[i], buf)
		}
	})
	for i, v := range vecs {
		d.add(v, p.labels[i])
	}
	lo := linearOptions{C: opts.C, Bias: 1, Epochs: opts.Epochs, Eps: opts.Tol,
		Seed: opts.Seed, Workers: opts.Workers, PosWeight: 1,
		ShrinkAbove: shrinkAbove, MaxWork: maxWork}
	alphas := make([][]float64, len(p.tags))
	for t := range alphas {
		alphas[t] = make([]float64, d.rows())
	}
	multi := multiLabel(p.labels[:p.real])
	perTag := medianCount(m.nEx)
	nbw := opts.NBWeight
	if nbw == 0 {
		nbw = nbWeightFor(perTag)
	}
	if multi || nbw < 0 {
		nbw = 0
	}
	// Further experts are added to the SVM's margins in a product of
	// experts: naive Bayes over the sparse features (it ranks the
	// runner-up tags better than the one-vs-rest margins) and, when tags
	// have few examples, linear discriminant analysis over the word
	// vectors. Each expert's temperature, fitted on the held-out split,
	// puts its scores on a common scale before they are added.
	type expert struct {
		weight  float64
		columns func(rows []int32, fn columnFn) // fitted on rows (nil: all)
		temp    float64
	}
	nTags := len(p.tags)
	var experts []*expert
	if nbw > 0 {
		experts = append(experts, &expert{weight: nbw, temp: 1, columns: func(rows []int32, fn columnFn) {
			nbColumns(d, rows, nTags, opts.NBAlpha, fn)
		}})
	}
	ldaw := opts.LDAWeight
	if ldaw == 0 {
		ldaw = ldaWeightFor(perTag)
	}
	if ldaw > 0 && !multi && d.denseDim() > 0 {
		experts = append(experts, &expert{weight: ldaw, temp: 1, columns: func(rows []int32, fn columnFn) {
			ldaColumns(d, rows, nTags, fn)
		}})
	}
	// heldOutMargins scores the calibration rows with each tag's weights
	// as they are produced, so no features × tags matrix is kept for the
	// calibration fit (with hundreds of tags that matrix is hundreds of MB).
	heldOutMargins := func(columns func(rows []int32, fn columnFn), fitIdx, calIdx []int32) [][]float32 {
		marg := make([][]float32, len(calIdx))
		for k := range marg {
			marg[k] = make([]float32, nTags)
		}
		columns(fitIdx, func(t int, col []float32, b float32) {
			for k, i := range calIdx {
				marg[k][t] = d.dot(i, col) + b // distinct t write distinct elements
			}
		})
		return marg
	}
	svm := func(rows []int32, fn columnFn) { fitOneVsRest(d, nTags, rows, alphas, lo, fn) }
	mlpw := opts.MLPWeight
	if mlpw == 0 {
		mlpw = mlpWeightFor(perTag)
	}
	if multi || mlpw < 0 {
		mlpw = 0
	}
	// The network trains in the background beside each SVM fit: it is
	// sequential, and the SVM's workers leave a core idle part of the time.
	startMLP := func(rows []int32) func() *mlp {
		ch := make(chan *mlp, 1)
		go func() { ch <- trainMLP(d, rows, nTags, opts.Seed) }()
		return func() *mlp { return <-ch }
	}
	mlpTemp := 1.0
	tSVM := 1.0
	if opts.HoldOut > 0 && nTags > 1 {
		fitIdx, calIdx := splitHoldOut(p, opts.HoldOut, opts.Seed)
		if len(calIdx) > 0 {
			var calNet func() *mlp
			if mlpw > 0 {
				calNet = startMLP(fitIdx)
			}
			h := heldOut{margins: heldOutMargins(svm, fitIdx, calIdx)}
			for _, i := range calIdx {
				h.gold = append(h.gold, p.labels[i])
			}
			// addExpert fits an expert's temperature on its held-out
			// scores and adds them, weighted, to the combined margins.
			addExpert := func(weight float64, marg [][]float32) (temp float64) {
				temp = (&heldOut{gold: h.gold, margins: marg}).fitTemperature()
				for k, row := range marg {
					for t := range row {
						h.margins[k][t] += float32(weight * float64(row[t]) / temp)
					}
				}
				return temp
			}
			if len(experts) > 0 || calNet != nil {
				tSVM = h.fitTemperature()
				for _, row := range h.margins {
					for t := range row {
						row[t] = float32(float64(row[t]) / tSVM)
					}
				}
				for _, e := range experts {
					e.temp = addExpert(e.weight, heldOutMargins(e.columns, fitIdx, calIdx))
				}
				if calNet != nil {
					mlpTemp = addExpert(mlpw, calNet().rowLogits(d, calIdx))
				}
			}
			if multi {
				m.cal = h.fitPlatt()
			} else {
				m.cal = calibration{A: h.fitTemperature()}
			}
			m.tau = h.fitThreshold(m.cal)
		}
	}
	m.feat = f
	var finalNet func() *mlp
	if mlpw > 0 {
		finalNet = startMLP(nil)
	}
	w, bias := trainOneVsRest(d, nTags, nil, alphas, lo)
	if finalNet != nil {
		m.net = finalNet()
		m.net.scale(float32(mlpw / mlpTemp))
	}
	if len(experts) > 0 || m.net != nil {
		// Product of experts: all scorers are linear in the features, so
		// their weighted sum folds into one weight matrix and prediction
		// costs the same as the SVM alone.
		a := float32(1 / tSVM)
		for j := range w {
			w[j] *= a
		}
		for t := range bias {
			bias[t] *= a
		}
		for _, e := range experts {
			c := float32(e.weight / e.temp)
			e.columns(nil, func(t int, col []float32, b float32) {
				for f, x := range col {
					if x != 0 {
						w[f*nTags+t] += c * x
					}
				}
				bias[t] += c * b
			})
		}
	}
	// A text with no known word has no word vector. Left at zero, that
	// block scores it as no text the model ever saw (nearly every
	// training text has one, so the block carries a large component
	// shared by all texts, which the biases offset) and the tags' biases
	// pick the tag: in a 24-text set, "zorblax" went to whichever tag had
	// the largest SVM or LDA bias. At prediction the missing block is
	// imputed by its training mean (folded into novec). Training rows
	// keep their zero block: imputing them too made every row dense and
	// training 10k synthetic texts (mostly unknown words) 20 % slower,
	// for no change on real text, where nearly every row has a vector.
	m.novec = denseScores(w, len(m.tags), meanDense(vecs, f), len(f.idf))
	m.wq, m.bias = quantize(w, nTags), bias
	return m, nil
}

// medianCount is the median of the examples per tag: the expert weights
// below follow how much data a typical tag has. A team's taxonomy is long
// tailed (a few tags hold most examples), and the mean, pulled up by the
// head, chose weights for a data-rich regime most tags are not in: on
// long-tailed samples of a public intent set (median 10 examples, mean 19)
// the median lifted top-1 by 1.4–1.8 points (see RESULTS.md). On balanced
// data the two agree.
func medianCount(n []int32) float64 {
	if len(n) == 0 {
		return 0
	}
	s := slices.Clone(n)
	slices.Sort(s)
	h := len(s) / 2
	if len(s)%2 == 1 {
		return float64(s[h])
	}
	return (float64(s[h-1]) + float64(s[h])) / 2
}

// nbWeightFor is the weight of the naive Bayes expert for data with perTag
// examples per tag (the median): 0.4 up to 10 examples, 0.8 from 30, linear
// in between. Naive Bayes ranks the runner-up tags better than the
// one-vs-rest margins, and its counts become reliable with data: in 5-fold
// cross-validation on a public intent set, weight 0.8 instead of 0.4 lifted
// top-3 recall by 0.2 points with all data, 0.3 at 60 and 0.15 at 30
// examples per tag, but cost 0.3 points of top-1 at 10 (see RESULTS.md).
func nbWeightFor(perTag float64) float64 {
	return 0.4 + 0.4*min(1, max(0, (perTag-10)/20))
}

// ldaWeightFor is the weight of the discriminant-analysis expert for data
// with perTag examples per tag (the median): 0.3 up to 10 examples, then
// falling as 3/perTag, and 0 (not fitted) once that is below 0.05 (more
// than 60 per tag). A generative model with a shared covariance needs far
// less data than the discriminative SVM but is less accurate once data is
// plentiful (Ng & Jordan 2002); on a dev split its gain was +0.4 top-1 at 5
// and 10 per tag, +0.1 at 30, and a loss at a fixed weight on full data.
func ldaWeightFor(perTag float64) float64 {
	if perTag > 60 {
		return 0
	}
	return 0.3 * min(1, 10/max(perTag, 1))
}

// nbColumns calls fn with each tag's log-likelihood weights under a
// multinomial naive Bayes model over the sparse features (zero on the
// dense block), with Lidstone smoothing alpha and a uniform prior, fitted
// on rows (nil: all). Feature values are the TF-IDF weights, as in Rennie
// et al. (2003). One tag at a time, so it needs one column of memory, not
// a features × tags matrix.
func nbColumns(d *dataset, rows []int32, nTags int, alpha float64, fn columnFn) {
	ns := d.nSparse
	byTag := make([][]int32, nTags)
	add := func(i int32) {
		for _, t := range d.labels[i] {
			byTag[t] = append(byTag[t], i)
		}
	}
	if rows == nil {
		for i := 0; i < d.rows(); i++ {
			add(int32(i))
		}
	} else {
		for _, i := range rows {
			add(i)
		}
	}
	col := make([]float32, d.nFeat)
	for t, tagRows := range byTag {
		clear(col)
		var tot float64
		for _, i := range tagRows {
			lo, hi := d.rowPtr[i], d.rowPtr[i+1]
			for k, f := range d.idx[lo:hi] {
				x := d.val[lo+k]
				col[f] += x
				tot += float64(x)
			}
		}
		logZ := math.Log(tot + alpha*float64(ns))
		zero := float32(math.Log(alpha) - logZ) // an unseen feature
		for f, c := range col[:ns] {
			if c == 0 {
				col[f] = zero
			} else {
				col[f] = float32(math.Log(float64(c)+alpha) - logZ)
			}
		}
		fn(t, col, 0)
	}
}

// multiLabel reports whether enough examples carry several tags (5%) for
// tags to be treated as independent rather than mutually exclusive.
func multiLabel(labels [][]int32) bool {
	n := 0
	for _, l := range labels {
		if len(l) > 1 {
			n++
		}
	}
	return n*20 >= len(labels) && n > 0
}

// splitHoldOut sets aside about frac of each tag's examples (grouped by the
// first tag) for calibration, always leaving at least one to train on.
func splitHoldOut(p prepared, frac float64, seed uint64) (fit, cal []int32) {
	byTag := make([][]int, len(p.tags))
	for i, ls := range p.labels[:p.real] {
		byTag[ls[0]] = append(byTag[ls[0]], i)
	}
	for i := p.real; i < len(p.labels); i++ {
		fit = append(fit, int32(i))
	}
	rng := rand.New(rand.NewPCG(seed, 0xCA1))
	for _, rows := range byTag {
		rng.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
		n := int(frac*float64(len(rows)) + 0.5)
		n = max(0, min(n, len(rows)-1)) // a tag seen only as a second label has no rows here
		for _, i := range rows[:n] {
			cal = append(cal, int32(i))
		}
		for _, i := range rows[n:] {
			fit = append(fit, int32(i))
		}
	}
	slices.Sort(fit)
	slices.Sort(cal)
	return fit, cal
}

// Tags lists the tags the model can predict, in the model's order.
func (m *Model) Tags() []string { return slices.Clone(m.tags) }

// Threshold is the calibrated probability above which a second or later tag
// should be applied too (used for multi-label predictions).
func (m *Model) Threshold() float64 { return m.tau }

// Predict returns up to k suggestions, best first. Tags are mapped through
// tax as it is now: merged tags count for the surviving tag, archived tags
// are never suggested (their mass moves to their nearest live ancestor),
// and an ancestor is left out when one of its descendants is itself
// suggested with at least the ancestor's score or with a score of 0.5 or
// more — accepting the deeper tag applies the ancestor implicitly.
func (m *Model) Predict(text string, k int, tax Taxonomy) []Suggestion {
	if k <= 0 || len(m.tags) == 0 {
		return nil
	}
	p := m.probabilities(text)
	if p == nil {
		return nil
	}
	mass := make(map[string]float64, len(p))
	for i, x := range p {
		if tag, ok := tax.liveTag(m.tags[i]); ok {
			mass[tag] += x
		}
	}
	out := make([]Suggestion, 0, len(mass))
	for tag, s := range mass {
		out = append(out, Suggestion{Tag: tag, Score: s})
	}
	sortSuggestions(out)
	if len(tax.Parent) > 0 {
		out = dropImpliedAncestors(out, tax, k)
	}
	if len(out) > k {
		out = out[:k]
	}
	return out
}

func sortSuggestions(s []Suggestion) {
	slices.SortFunc(s, func(a, b Suggestion) int {
		if a.Score != b.Score {
			if a.Score > b.Score {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Tag, b.Tag)
	})
}

// confidentScore is the score at which a descendant suppresses its
// ancestors even when the ancestor scores higher.
const confidentScore = 0.5

// dropImpliedAncestors removes ancestors made redundant by a descendant.
func dropImpliedAncestors(s []Suggestion, tax Taxonomy, k int) []Suggestion {
	// Only the head of the list can matter; bound the quadratic scan.
	n := min(len(s), 4*k+8)
	s = s[:n]
	out := s[:0:0]
	for i, a := range s {
		implied := false
		for j, d := range s {
			if i != j && (d.Score >= a.Score || d.Score >= confidentScore) && tax.IsAncestor(a.Tag, d.Tag) {
				implied = true
				break
			}
		}
		if !implied {
			out = append(out, a)
		}
	}
	return out
}

// probabilities returns the calibrated probability of each model tag, or
// nil for text with no words.
func (m *Model) probabilities(text string) []float64 {
	toks := tokenize(text)
	if len(toks) == 0 {
		return nil
	}
	v, _ := m.feat.vectorize(toks, nil)
	sc := slices.Clone(m.bias)
	m.wq.addScores(v, sc)
	if m.novec != nil && !hasDense(v, m.feat) {
		for t, x := range m.novec {
			sc[t] += x
		}
	}
	if m.net != nil {
		m.net.addLogits(v, sc)
	}
	return m.cal.apply(sc, nil)
}

// hasDense reports whether v has a word vector (the dense block comes last).
func hasDense(v sparseVec, f *featurizer) bool {
	return f.dim > 0 && len(v.idx) > 0 && int(v.idx[len(v.idx)-1]) >= len(f.idf)
}

// meanDense is the mean word vector of the texts that have one (nil when
// there is no dense block or no text has a known word).
func meanDense(vecs []sparseVec, f *featurizer) []float32 {
	if f.dim == 0 {
		return nil
	}
	sum := make([]float64, f.dim)
	n := 0
	base := int32(len(f.idf))
	for _, v := range vecs {
		if !hasDense(v, f) {
			continue
		}
		n++
		for k, j := range v.idx {
			if j >= base {
				sum[j-base] += float64(v.val[k])
			}
		}
	}
	if n == 0 {
		return nil
	}
	mean := make([]float32, f.dim)
	for j, x := range sum {
		mean[j] = float32(x / float64(n))
	}
	return mean
}

// denseScores is w's dense block times x, per tag (nil when x is nil).
func denseScores(w []float32, nTags int, x []float32, base int) []float32 {
	if x == nil {
		return nil
	}
	out := make([]float32, nTags)
	for j, a := range x {
		row := w[(base+j)*nTags : (base+j+1)*nTags]
		for t, wt := range row {
			out[t] += wt * a
		}
	}
	return out
}
