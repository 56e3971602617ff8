package suggest

import (
	"cmp"
	"math"
	"slices"
)

// FeatureOptions chooses the text representation. The defaults (see
// DefaultOptions) were tuned on a held-out part of a public intent dataset
// and are meant to be left alone.
type FeatureOptions struct {
	WordNgrams int // word n-grams 1..WordNgrams (sentence boundaries count as words)
	CharMin    int // character n-grams of CharMin..CharMax runes,
	CharMax    int // taken inside " word " so they never span two words
	MinDF      int // drop sparse features seen in fewer training texts
	// MaxFeatures caps the sparse vocabulary (most frequent kept), which
	// bounds model memory at about MaxFeatures × tags bytes.
	MaxFeatures int
	WordWeight  float32 // weight of the L2-normalised word n-gram block
	CharWeight  float32 // weight of the L2-normalised character n-gram block
	VecWeight   float32 // weight of the L2-normalised word-vector block (0 disables)
	VecPool     int     // 1: SIF mean; 2: + max; 3: + max + min (power means)
}

// Feature kinds are hashed with a distinct prefix byte so a word and a
// character n-gram with the same spelling never collide.
const (
	kindWord byte = 'w'
	kindChar byte = 'c'
)

// sparseVec is one text's feature vector: sorted indices and values.
type sparseVec struct {
	idx []int32
	val []float32
}

// featurizer maps text to feature vectors. Sparse features are looked up in
// a vocabulary fixed at training time; the last dim features are a dense
// sentence vector built from word vectors.
type featurizer struct {
	opt   FeatureOptions
	vocab map[uint64]int32 // hashed feature key → index
	kind  []byte           // per index: kindWord or kindChar
	idf   []float32        // per index
	wv    *wordVectors     // nil when VecWeight == 0
	dim   int              // dense block size (0 when wv == nil)
}

// nFeatures is the size of the feature space (sparse + dense).
func (f *featurizer) nFeatures() int { return len(f.idf) + f.dim }

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashBytes(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// kv is one sparse feature occurrence: hashed key, block, and raw weight.
type kv struct {
	key  uint64
	kind byte
	x    float32
}

// keys lists the text's sparse features with their raw term weights
// (sublinear counts), sorted by key with duplicates merged.
func (f *featurizer) keys(toks []string, out []kv) []kv {
	out = f.occurrences(toks, out)
	slices.SortFunc(out, func(a, b kv) int { return cmp.Compare(a.key, b.key) })
	// Merge duplicates: counts become sublinear, 1+log(count).
	m := out[:0]
	cnt := 0
	for i, e := range out {
		if i > 0 && e.key == m[len(m)-1].key {
			cnt++
			m[len(m)-1].x = 1 + float32(math.Log(float64(cnt)))
			continue
		}
		cnt = 1
		m = append(m, e)
	}
	return m
}

// occurrences lists every sparse feature occurrence in the text, in text
// order, repeats included.
func (f *featurizer) occurrences(toks []string, out []kv) []kv {
	o := &f.opt
	out = out[:0]
	// Word n-grams, with "<s>" and "</s>" so that "how ..." at the start of
	// a question is a different feature from "how" in the middle.
	for i := range toks {
		out = append(out, kv{hashBytes(hashBytes(fnvOffset, "w"), toks[i]), kindWord, 1})
	}
	if o.WordNgrams >= 2 {
		prev := "<s>"
		for i := 0; i <= len(toks); i++ {
			cur := "</s>"
			if i < len(toks) {
				cur = toks[i]
			}
			h := hashBytes(hashBytes(hashBytes(hashBytes(fnvOffset, "w"), prev), " "), cur)
			out = append(out, kv{h, kindWord, 1})
			prev = cur
		}
	}
	// Character n-grams inside " word ": robust to typos, inflection
	// and compounding ("topup", "top-up", "topped up").
	if o.CharMax > 0 {
		var offs []int
		for _, t := range toks {
			p := " " + t + " "
			offs = offs[:0]
			for i := range p {
				offs = append(offs, i)
			}
			offs = append(offs, len(p))
			nr := len(offs) - 1
			for a := 0; a < nr; a++ {
				for l := o.CharMin; l <= o.CharMax && a+l <= nr; l++ {
					g := p[offs[a]:offs[a+l]]
					if g == " " {
						continue
					}
					out = append(out, kv{hashBytes(hashBytes(fnvOffset, "c"), g), kindChar, 1})
				}
			}
		}
	}
	return out
}

// fitFeaturizer builds the vocabulary and IDF weights from training texts.
// workers bounds the parallelism (0: GOMAXPROCS).
func fitFeaturizer(opt FeatureOptions, toks [][]string, workers int) (*featurizer, error) {
	f := &featurizer{opt: opt}
	if opt.VecWeight > 0 {
		wv, err := loadedWordVectors()
		if err != nil {
			return nil, err
		}
		f.wv, f.dim = wv, wv.dim*vecParts(opt.VecPool)
	}
	// Document frequencies, counted over chunks of texts in parallel and
	// then merged (sums do not depend on the order).
	nw := workerCount(workers)
	dfs := make([]map[uint64]int32, nw)
	kindss := make([]map[uint64]byte, nw)
	chunk := (len(toks) + nw - 1) / nw
	parallelChunks(len(toks), nw, func(lo, hi int) {
		w := lo / max(chunk, 1)
		df, kinds := make(map[uint64]int32), make(map[uint64]byte)
		var buf []kv
		for _, t := range toks[lo:hi] {
			buf = f.keys(t, buf)
			for _, e := range buf {
				df[e.key]++
				kinds[e.key] = e.kind
			}
		}
		dfs[w], kindss[w] = df, kinds
	})
	df, kinds := dfs[0], kindss[0]
	if df == nil {
		df, kinds = map[uint64]int32{}, map[uint64]byte{}
	}
	for w := 1; w < nw; w++ {
		for k, c := range dfs[w] {
			df[k] += c
			kinds[k] = kindss[w][k]
		}
	}
	keys := make([]uint64, 0, len(df))
	for k, c := range df {
		if int(c) >= max(opt.MinDF, 1) {
			keys = append(keys, k)
		}
	}
	if opt.MaxFeatures > 0 && len(keys) > opt.MaxFeatures {
		slices.SortFunc(keys, func(a, b uint64) int {
			if df[a] != df[b] {
				return int(df[b] - df[a])
			}
			if a < b {
				return -1
			}
			return 1
		})
		keys = keys[:opt.MaxFeatures]
	}
	slices.Sort(keys) // deterministic feature order
	n := float64(len(toks))
	f.vocab = make(map[uint64]int32, len(keys))
	f.idf = make([]float32, len(keys))
	f.kind = make([]byte, len(keys))
	for i, k := range keys {
		f.vocab[k] = int32(i)
		f.idf[i] = float32(math.Log((1+n)/(1+float64(df[k]))) + 1)
		f.kind[i] = kinds[k]
	}
	return f, nil
}

// vectorize turns tokens into the feature vector: each block is
// TF × IDF (TF sublinear, 1+log(count)), L2-normalised, then scaled by its
// block weight. Occurrences are mapped to vocabulary indices before
// sorting, so unknown features are dropped early and the sort is over
// int32s: on a 240-word text this is most of the prediction time.
func (f *featurizer) vectorize(toks []string, buf []kv) (sparseVec, []kv) {
	buf = f.occurrences(toks, buf)
	var v sparseVec
	ids := make([]int32, 0, len(buf)+f.dim)
	for _, e := range buf {
		if j, ok := f.vocab[e.key]; ok {
			ids = append(ids, j)
		}
	}
	slices.Sort(ids)
	v.idx = ids[:0]
	v.val = make([]float32, 0, len(ids)+f.dim)
	var ss [2]float64
	for i := 0; i < len(ids); {
		j, n := ids[i], 1
		for i+n < len(ids) && ids[i+n] == j {
			n++
		}
		i += n
		x := f.idf[j]
		if n > 1 {
			x *= 1 + float32(math.Log(float64(n)))
		}
		v.idx = append(v.idx, j) // never overtakes i: writes trail reads
		v.val = append(v.val, x)
		ss[blockOf(f.kind[j])] += float64(x) * float64(x)
	}
	var scale [2]float32
	for b, bw := range []float32{f.opt.WordWeight, f.opt.CharWeight} {
		if ss[b] > 0 {
			scale[b] = bw / float32(math.Sqrt(ss[b]))
		}
	}
	for i, j := range v.idx {
		v.val[i] *= scale[blockOf(f.kind[j])]
	}
	if f.dim > 0 {
		if s := f.sentenceVector(toks); s != nil {
			base := int32(len(f.idf))
			for j, x := range s {
				v.idx = append(v.idx, base+int32(j))
				v.val = append(v.val, x*f.opt.VecWeight)
			}
		}
	}
	return v, buf
}

func blockOf(kind byte) int {
	if kind == kindWord {
		return 0
	}
	return 1
}

func vecParts(pool int) int { return min(max(pool, 1), 3) }

// sentenceVector pools the text's word vectors: a SIF-weighted mean, plus
// (VecPool ≥ 2) the element-wise max and (VecPool 3) min, which keep a
// single salient word from being averaged away (Rücklé et al. 2018, "power
// mean" embeddings). Each part is L2-normalised and scaled so the whole
// vector has unit length; nil when no word is known.
func (f *featurizer) sentenceVector(toks []string) []float32 {
	d := f.wv.dim
	parts := vecParts(f.opt.VecPool)
	s := make([]float32, d*parts)
	mean := s[:d]
	var mx, mn []float32
	if parts >= 2 {
		mx = s[d : 2*d]
		for j := range mx {
			mx[j] = float32(math.Inf(-1))
		}
	}
	if parts >= 3 {
		mn = s[2*d : 3*d]
		for j := range mn {
			mn[j] = float32(math.Inf(1))
		}
	}
	found := false
	for _, t := range toks {
		vec, w := f.wv.lookup(t)
		if vec == nil {
			continue
		}
		found = true
		for j, x := range vec {
			mean[j] += w * x
		}
		for j, x := range mx {
			mx[j] = max(x, vec[j])
		}
		for j, x := range mn {
			mn[j] = min(x, vec[j])
		}
	}
	if !found {
		return nil
	}
	for p := 0; p < parts; p++ {
		normalize(s[p*d:(p+1)*d], 1/float32(math.Sqrt(float64(parts))))
	}
	return s
}

// normalize scales v to length l (leaves a zero vector alone).
func normalize(v []float32, l float32) {
	var ss float64
	for _, x := range v {
		ss += float64(x) * float64(x)
	}
	if ss == 0 {
		return
	}
	inv := l / float32(math.Sqrt(ss))
	for j := range v {
		v[j] *= inv
	}
}
