package suggest

import (
	"bytes"
	"math"
	"slices"
	"testing"
)

// trainingSet featurises examples the way Train does.
func trainingSet(t *testing.T, ex []Example) (*featurizer, *dataset, []sparseVec, prepared) {
	t.Helper()
	o := Options{}.withDefaults()
	p := prepare(ex, o.Taxonomy)
	f, err := fitFeaturizer(o.Features, p.toks, 0)
	if err != nil {
		t.Fatal(err)
	}
	d := newDataset(f.nFeatures(), len(f.idf))
	vecs := make([]sparseVec, len(p.toks))
	for i, tk := range p.toks {
		vecs[i], _ = f.vectorize(tk, nil)
		d.add(vecs[i], p.labels[i])
	}
	return f, d, vecs, p
}

func TestNaiveBayesIsADistributionPerTag(t *testing.T) {
	_, d, _, p := trainingSet(t, corpus(8))
	nt := len(p.tags)
	theta := naiveBayes(d, nil, nt, defaultNBAlpha)
	if len(theta) != d.nSparse*nt {
		t.Fatalf("len %d, want %d", len(theta), d.nSparse*nt)
	}
	for tag := 0; tag < nt; tag++ {
		var s float64
		for j := 0; j < d.nSparse; j++ {
			s += math.Exp(float64(theta[j*nt+tag]))
		}
		if math.Abs(s-1) > 1e-3 {
			t.Errorf("tag %d: feature probabilities sum to %v", tag, s)
		}
	}
}

func TestDatasetDenseSplit(t *testing.T) {
	f, d, vecs, _ := trainingSet(t, corpus(4))
	if d.denseDim() != f.dim || f.dim == 0 {
		t.Fatalf("dense dim %d, featurizer %d", d.denseDim(), f.dim)
	}
	w := make([]float32, d.nFeat)
	for j := range w {
		w[j] = float32(j%7) - 3
	}
	for i, v := range vecs {
		var want float32
		for k, j := range v.idx {
			want += w[j] * v.val[k]
		}
		if got := d.dot(int32(i), w); math.Abs(float64(got-want)) > 1e-3 {
			t.Fatalf("row %d: dot %v, want %v", i, got, want)
		}
	}
	// axpy then dot with the row itself adds a·|x|².
	w2 := make([]float32, d.nFeat)
	d.axpy(0, 2, w2)
	if got, want := d.dot(0, w2), 2*d.sqNorm[0]; math.Abs(float64(got-want)) > 1e-3 {
		t.Fatalf("axpy: %v, want %v", got, want)
	}
}

func TestShrinkAboveKeepsTheSolution(t *testing.T) {
	_, d, vecs, p := trainingSet(t, corpus(10))
	nt := len(p.tags)
	base := linearOptions{C: 1, Bias: 1, Epochs: 200, Eps: 1e-4, Seed: 1, PosWeight: 1}
	w1, b1 := trainOneVsRest(d, nt, nil, nil, base)
	fast := base
	fast.ShrinkAbove = shrinkAbove
	w2, b2 := trainOneVsRest(d, nt, nil, nil, fast)
	for _, v := range vecs {
		s1, s2 := scores(w1, b1, nt, v, nil), scores(w2, b2, nt, v, nil)
		for k := range s1 {
			if math.Abs(float64(s1[k]-s2[k])) > 0.02 {
				t.Fatalf("margins differ: %v vs %v", s1, s2)
			}
		}
	}
}

func TestNaiveBayesExpert(t *testing.T) {
	ex := corpus(12)
	with := mustTrain(t, ex, Options{Seed: 1})
	without := mustTrain(t, ex, Options{Seed: 1, NBWeight: -1})
	a, _ := with.MarshalBinary()
	b, _ := without.MarshalBinary()
	if bytes.Equal(a, b) {
		t.Fatal("NBWeight had no effect")
	}
	for _, c := range []struct{ text, want string }{
		{"I want my money back", "billing›refund"},
		{"where is my parcel, it is late", "shipping"},
	} {
		if s := with.Predict(c.text, 3, Taxonomy{}); len(s) == 0 || s[0].Tag != c.want {
			t.Errorf("Predict(%q) = %v, want %s first", c.text, s, c.want)
		}
	}
	// Multi-label data keeps independent per-tag scores: no naive Bayes.
	ml := corpus(12)
	for i := 0; i < 10; i++ {
		ml = append(ml, Example{Text: "crash on start, refund my order", Tags: []string{"billing›refund", "bug›crash"}})
	}
	a, _ = mustTrain(t, ml, Options{Seed: 1}).MarshalBinary()
	b, _ = mustTrain(t, ml, Options{Seed: 1, NBWeight: -1}).MarshalBinary()
	if !bytes.Equal(a, b) {
		t.Error("naive Bayes was mixed into a multi-label model")
	}
}

func TestParallelChunks(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 10, 101} {
		for _, w := range []int{1, 2, 3, 8} {
			seen := make([]int32, n)
			parallelChunks(n, w, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					seen[i]++ // chunks are disjoint: no race
				}
			})
			for i, c := range seen {
				if c != 1 {
					t.Fatalf("n=%d w=%d: index %d visited %d times", n, w, i, c)
				}
			}
		}
	}
}

func TestFeaturizerIndependentOfWorkers(t *testing.T) {
	p := prepare(corpus(20), Taxonomy{})
	a, _ := fitFeaturizer(DefaultFeatures, p.toks, 1)
	b, _ := fitFeaturizer(DefaultFeatures, p.toks, 3)
	if len(a.idf) != len(b.idf) {
		t.Fatalf("vocabulary %d vs %d", len(a.idf), len(b.idf))
	}
	for k, i := range a.vocab {
		if j, ok := b.vocab[k]; !ok || i != j || a.idf[i] != b.idf[j] || a.kind[i] != b.kind[j] {
			t.Fatal("vocabularies differ")
		}
	}
}

func TestMaxWorkBoundsPasses(t *testing.T) {
	_, d, _, p := trainingSet(t, corpus(10))
	nt := len(p.tags)
	o := linearOptions{C: 1, Bias: 1, Epochs: 50, Eps: 1e-9, Seed: 1, PosWeight: 1}
	// A tolerance that is never reached: on this corpus the first two
	// passes visit every example, so with MaxWork 2 each fit stops there
	// and equals a two-pass fit.
	o.MaxWork = 2
	w1, b1 := trainOneVsRest(d, nt, nil, nil, o)
	o.MaxWork, o.Epochs = 0, 2
	w2, b2 := trainOneVsRest(d, nt, nil, nil, o)
	if !slices.Equal(b1, b2) || !slices.Equal(w1, w2) {
		t.Fatal("MaxWork 2 did not stop after two full passes")
	}
}

func TestNameText(t *testing.T) {
	tax := Taxonomy{Parent: map[string]string{"t2": "t1"}}
	names := map[string]string{"t1": "Billing", "t2": "refundNotShowing_up"}
	if got, want := nameText("t2", names, tax), "Billing refund Not Showing_up"; got != want {
		t.Errorf("nameText = %q, want %q", got, want)
	}
	if got := tokenize(nameText("t2", names, tax)); !slices.Equal(got, []string{"billing", "refund", "not", "showing", "up"}) {
		t.Errorf("tokens = %q", got)
	}
	if got := nameText("t3", names, tax); got != "" {
		t.Errorf("unnamed tag: %q", got)
	}
}

func TestTagNamesAreTrainingTexts(t *testing.T) {
	ex := corpus(6)
	names := map[string]string{"login": "login", "shipping": "parcel delivery shipping"}
	m, err := Train(ex, Options{Seed: 1, TagNames: names})
	if err != nil {
		t.Fatal(err)
	}
	for i, tag := range m.tags {
		if m.nEx[i] != 6 {
			t.Errorf("%s: %d examples counted, want 6 (names are not examples)", tag, m.nEx[i])
		}
	}
	if s := m.Predict("my parcel delivery", 1, Taxonomy{}); len(s) == 0 || s[0].Tag != "shipping" {
		t.Errorf("Predict = %v", s)
	}
}

// The experts' weights by examples per tag: naive Bayes weighs more, discriminant
// analysis less, as tags have more examples.
func TestExpertWeightRules(t *testing.T) {
	for _, rule := range []struct {
		name  string
		fn    func(float64) float64
		cases []struct{ perTag, want float64 }
	}{
		{"nbWeightFor", nbWeightFor, []struct{ perTag, want float64 }{
			{1, 0.4}, {10, 0.4}, {15, 0.5}, {20, 0.6}, {30, 0.8}, {130, 0.8},
		}},
		{"ldaWeightFor", ldaWeightFor, []struct{ perTag, want float64 }{
			{1, 0.3}, {10, 0.3}, {30, 0.1}, {60, 0.05}, {61, 0}, {130, 0},
		}},
	} {
		for _, c := range rule.cases {
			if got := rule.fn(c.perTag); math.Abs(got-c.want) > 1e-9 {
				t.Errorf("%s(%v) = %v, want %v", rule.name, c.perTag, got, c.want)
			}
		}
	}
}

func TestMedianCount(t *testing.T) {
	for _, c := range []struct {
		n    []int32
		want float64
	}{
		{nil, 0}, {[]int32{7}, 7}, {[]int32{100, 100, 100, 4, 4, 4, 4}, 4},
		{[]int32{1, 3, 5, 100}, 4}, {[]int32{130, 120, 140, 125}, 127.5},
	} {
		if got := medianCount(c.n); got != c.want {
			t.Errorf("medianCount(%v) = %v, want %v", c.n, got, c.want)
		}
	}
	// Long tail: three tags with 100 examples and four with 4. The median
	// (4) picks the few-shot weights; the mean (45.1) would have picked
	// naive Bayes 0.8 and discriminant analysis 0.067.
	n := []int32{100, 100, 100, 4, 4, 4, 4}
	if nb, lda := nbWeightFor(medianCount(n)), ldaWeightFor(medianCount(n)); nb != 0.4 || lda != 0.3 {
		t.Errorf("long-tail weights = %v, %v; want 0.4, 0.3", nb, lda)
	}
}

func TestLDAExpert(t *testing.T) {
	// Two tags whose dense vectors differ only along one axis, with a
	// noise axis of much larger variance: LDA must whiten it away.
	d := newDataset(3, 1)
	for i := 0; i < 40; i++ {
		t := int32(i % 2)
		noise := float32(i%7) - 3
		d.add(sparseVec{idx: []int32{1, 2}, val: []float32{0.2*float32(t) + 0.01*float32(i%3), noise}}, []int32{t})
	}
	w, b := lda(d, nil, 2)
	for _, c := range []struct {
		x    []float32
		want int
	}{{[]float32{0.2, -3}, 1}, {[]float32{0, 3}, 0}, {[]float32{0.19, 2.5}, 1}} {
		s := scores(w, b, 2, sparseVec{idx: []int32{1, 2}, val: c.x}, nil)
		if got := slices.Index(s, slices.Max(s)); got != c.want {
			t.Errorf("x=%v: scores %v, want tag %d", c.x, s, c.want)
		}
	}
	for j := 0; j < 2; j++ {
		if w[j] != 0 {
			t.Errorf("sparse feature got LDA weight %v", w[j])
		}
	}
	// Trains at few examples per tag, skipped on plenty.
	few := mustTrain(t, corpus(6), Options{Seed: 1})
	fewOff := mustTrain(t, corpus(6), Options{Seed: 1, LDAWeight: -1})
	a, _ := few.MarshalBinary()
	c, _ := fewOff.MarshalBinary()
	if bytes.Equal(a, c) {
		t.Error("LDA expert had no effect at 6 examples per tag")
	}
}

// TestVectorizeMatchesKeys checks the prediction-time vectoriser (vocabulary
// lookup before sorting) against the definition: the merged, sorted feature
// keys with their sublinear counts, times IDF, each block L2-normalised.
func TestVectorizeMatchesKeys(t *testing.T) {
	var toks [][]string
	for _, e := range corpus(6) {
		toks = append(toks, tokenize(e.Text))
	}
	f, err := fitFeaturizer(DefaultFeatures, toks, 1)
	if err != nil {
		t.Fatal(err)
	}
	texts := append(toks, tokenize("refund refund refund my order, the app crashes crashes on start zzqx"), tokenize("zzqx"))
	for _, tk := range texts {
		got, _ := f.vectorize(tk, nil)
		want := map[int32]float64{}
		var ss [2]float64
		for _, e := range f.keys(tk, nil) {
			if j, ok := f.vocab[e.key]; ok {
				x := float64(e.x) * float64(f.idf[j])
				want[j] = x
				ss[blockOf(f.kind[j])] += x * x
			}
		}
		bw := [2]float64{float64(f.opt.WordWeight), float64(f.opt.CharWeight)}
		n := 0
		for k, j := range got.idx {
			if k > 0 && got.idx[k-1] >= j {
				t.Fatalf("%q: indices not strictly increasing at %d", tk, k)
			}
			if int(j) >= len(f.idf) {
				continue // dense block
			}
			n++
			b := blockOf(f.kind[j])
			w := want[j] * bw[b] / math.Sqrt(ss[b])
			if math.Abs(float64(got.val[k])-w) > 1e-5 {
				t.Errorf("%q: feature %d = %v, want %v", tk, j, got.val[k], w)
			}
		}
		if n != len(want) {
			t.Errorf("%q: %d sparse features, want %d", tk, n, len(want))
		}
	}
}

// lda is ldaColumns as a feature-major weight matrix and biases.
func lda(d *dataset, rows []int32, nTags int) ([]float32, []float32) {
	return columnMatrix(d.nFeat, nTags, func(fn columnFn) { ldaColumns(d, rows, nTags, fn) })
}

// naiveBayes is nbColumns as a feature-major matrix over the sparse
// features (len nSparse*nTags).
func naiveBayes(d *dataset, rows []int32, nTags int, alpha float64) []float32 {
	w, _ := columnMatrix(d.nSparse, nTags, func(fn columnFn) { nbColumns(d, rows, nTags, alpha, fn) })
	return w
}

// scores computes the raw margin of every tag for one vector from a float32
// feature-major matrix (models keep theirs as a qmatrix). Features
// beyond the end of w (or bias == nil) count as zero.
func scores(w, bias []float32, nTags int, v sparseVec, out []float32) []float32 {
	out = out[:0]
	if bias == nil {
		out = append(out, make([]float32, nTags)...)
	} else {
		out = append(out, bias...)
	}
	nf := int32(len(w) / nTags)
	for k, f := range v.idx {
		if f >= nf {
			break
		}
		axpyF(v.val[k], w[int(f)*nTags:int(f+1)*nTags], out)
	}
	return out
}
