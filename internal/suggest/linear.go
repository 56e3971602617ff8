package suggest

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
)

// dataset is the training vectors plus, per row, the indices of the tags it
// carries. Features below nSparse are stored as a CSR matrix; the trailing
// dense block (features nSparse..nFeat-1, the pooled word vectors that every
// text has) is stored row-major and contiguous, which the solver's inner
// loops run through about twice as fast as indexed entries.
type dataset struct {
	nFeat   int
	nSparse int // first dense feature; nFeat when there is no dense block
	rowPtr  []int
	idx     []int32
	val     []float32
	dense   []float32 // rows × (nFeat−nSparse)
	noDense []bool    // per row: the dense block is all zero (no known word)
	sqNorm  []float32
	labels  [][]int32
}

func newDataset(nFeat, nSparse int) *dataset {
	return &dataset{nFeat: nFeat, nSparse: nSparse, rowPtr: []int{0}}
}

func (d *dataset) rows() int { return len(d.rowPtr) - 1 }

// rowsOrAll returns rows, or every row's index when rows is nil.
func (d *dataset) rowsOrAll(rows []int32) []int32 {
	if rows != nil {
		return rows
	}
	rows = make([]int32, d.rows())
	for i := range rows {
		rows[i] = int32(i)
	}
	return rows
}

func (d *dataset) denseDim() int { return d.nFeat - d.nSparse }

// denseRow returns row i's dense block.
func (d *dataset) denseRow(i int32) []float32 {
	n := d.denseDim()
	return d.dense[int(i)*n : int(i+1)*n]
}

func (d *dataset) add(v sparseVec, labels []int32) {
	if len(d.rowPtr) == 0 {
		d.rowPtr = append(d.rowPtr, 0)
	}
	var s float32
	dd := d.denseDim()
	base := len(d.dense)
	if dd > 0 {
		d.dense = append(d.dense, make([]float32, dd)...)
	}
	zero := true
	for k, f := range v.idx {
		x := v.val[k]
		s += x * x
		if int(f) >= d.nSparse {
			d.dense[base+int(f)-d.nSparse] = x
			zero = zero && x == 0
			continue
		}
		d.idx = append(d.idx, f)
		d.val = append(d.val, x)
	}
	d.rowPtr = append(d.rowPtr, len(d.idx))
	d.noDense = append(d.noDense, zero)
	d.sqNorm = append(d.sqNorm, s)
	d.labels = append(d.labels, labels)
}

// dot returns w·x_i.
func (d *dataset) dot(i int32, w []float32) float32 {
	lo, hi := d.rowPtr[i], d.rowPtr[i+1]
	idx, val := d.idx[lo:hi], d.val[lo:hi]
	val = val[:len(idx)]
	var s float32
	for k, f := range idx {
		s += w[f] * val[k]
	}
	if d.nSparse < d.nFeat && !d.noDense[i] {
		s += dotDense(w[d.nSparse:d.nFeat], d.denseRow(i))
	}
	return s
}

// axpy adds a·x_i to w.
func (d *dataset) axpy(i int32, a float32, w []float32) {
	lo, hi := d.rowPtr[i], d.rowPtr[i+1]
	idx, val := d.idx[lo:hi], d.val[lo:hi]
	val = val[:len(idx)]
	for k, f := range idx {
		w[f] += a * val[k]
	}
	if d.nSparse < d.nFeat && !d.noDense[i] {
		x := d.denseRow(i)
		wd := w[d.nSparse:d.nFeat]
		wd = wd[:len(x)]
		for j, v := range x {
			wd[j] += a * v
		}
	}
}

// dotDense is a dot product with four accumulators (fewer dependent adds).
func dotDense(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	j := 0
	for ; j+4 <= len(a); j += 4 {
		s0 += a[j] * b[j]
		s1 += a[j+1] * b[j+1]
		s2 += a[j+2] * b[j+2]
		s3 += a[j+3] * b[j+3]
	}
	for ; j < len(a); j++ {
		s0 += a[j] * b[j]
	}
	return (s0 + s1) + (s2 + s3)
}

// linearOptions configure the per-tag classifiers.
type linearOptions struct {
	C         float64 // inverse L2 regularisation strength
	Bias      float32 // value of the constant bias feature
	Epochs    int     // maximum passes over the data per tag
	Eps       float64 // stop when the projected-gradient spread is below Eps
	Seed      uint64
	Workers   int
	PosWeight float64 // multiplies C for a tag's positive examples (≥1)
	// ShrinkAbove (>0) also shrinks an example whose multiplier is 0 once
	// its gradient exceeds this value (its margin is past 1+ShrinkAbove),
	// from the second pass on or at once when warm-started.
	ShrinkAbove float64
	// MaxWork (>0) stops a fit once it has visited MaxWork × rows examples
	// in total, whatever Epochs says: on data where shrinking removes few
	// examples (many support vectors), passes cost the full price and this
	// bounds training time at about MaxWork full passes.
	MaxWork float64
}

// trainOneVsRest fits one L2-regularised squared-hinge-loss linear SVM per
// tag by dual coordinate descent (Hsieh et al., ICML 2008, the method behind
// LIBLINEAR's default solver). It needs no learning rate, converges in a few
// passes on sparse text, and tags are independent, so they train in parallel
// with results that do not depend on scheduling. The returned weights are
// feature-major (w[f*nTags+t]) so prediction touches one contiguous row per
// active feature; bias[t] holds the bias term.
//
// rows selects the training rows (nil: all). alphas, if not nil, holds one
// dual vector per tag (len d.rows()) that is used as the starting point and
// updated in place: Train first fits a calibration model on part of the
// rows and then warm-starts the final fit from it, which roughly halves the
// final fit's passes.
func trainOneVsRest(d *dataset, nTags int, rows []int32, alphas [][]float64, o linearOptions) (w, bias []float32) {
	return columnMatrix(d.nFeat, nTags, func(fn columnFn) { fitOneVsRest(d, nTags, rows, alphas, o, fn) })
}

// columnFn receives one tag's weights over the first len(col) features
// and its bias; col is reused once it returns. Calls for different tags
// may run concurrently.
type columnFn func(t int, col []float32, bias float32)

// columnMatrix runs produce and gathers the columns it emits into a
// feature-major matrix over the first width features (w[f*nTags+t]).
func columnMatrix(width, nTags int, produce func(columnFn)) (w, bias []float32) {
	w = make([]float32, width*nTags)
	bias = make([]float32, nTags)
	produce(func(t int, col []float32, b float32) {
		for f, x := range col[:width] {
			w[f*nTags+t] = x // distinct t write distinct elements
		}
		bias[t] = b
	})
	return w, bias
}

// fitOneVsRest is trainOneVsRest handing each tag's weights to fn as soon
// as the tag is solved, so a caller that only needs margins on a few rows
// never holds the features × tags matrix.
func fitOneVsRest(d *dataset, nTags int, rows []int32, alphas [][]float64, o linearOptions, fn columnFn) {
	nf := d.nFeat
	// Positive rows per tag: y_i = +1 for those, −1 otherwise.
	pos := make([][]int32, nTags)
	rows = d.rowsOrAll(rows)
	for _, i := range rows {
		for _, t := range d.labels[i] {
			pos[t] = append(pos[t], i)
		}
	}
	workers := workerCount(o.Workers)
	var wg sync.WaitGroup
	next := make(chan int)
	for k := 0; k < workers; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wt := make([]float32, nf)
			y := make([]int8, d.rows())
			for t := range next {
				var alpha []float64
				if alphas != nil {
					alpha = alphas[t]
				} else {
					alpha = make([]float64, d.rows())
				}
				b := trainBinary(d, rows, pos[t], alpha, wt, y, o, o.Seed^uint64(t)*0x9E3779B97F4A7C15)
				fn(t, wt, b)
			}
		}()
	}
	for t := 0; t < nTags; t++ {
		next <- t
	}
	close(next)
	wg.Wait()
}

// trainBinary solves one tag's dual problem over rows, starting from alpha
// (updated in place), into wt (overwritten), and returns the bias weight
// (already multiplied by o.Bias).
func trainBinary(d *dataset, rows, pos []int32, alpha []float64, wt []float32, y []int8, o linearOptions, seed uint64) float32 {
	clear(wt)
	for i := range y {
		y[i] = -1
	}
	for _, i := range pos {
		y[i] = 1
	}
	n := len(rows)
	// Squared hinge: D_ii = 1/(2C_i), no upper bound. Positives may get a
	// larger C (PosWeight) because a tag has few of them.
	diagNeg := 0.5 / o.C
	diagPos := 0.5 / (o.C * max(o.PosWeight, 1))
	nAll := d.rows()
	qd := make([]float64, nAll)
	dg := make([]float64, nAll)
	var wb float64 // bias weight
	warm := false
	for _, i := range rows {
		dg[i] = diagNeg
		if y[i] > 0 {
			dg[i] = diagPos
		}
		qd[i] = float64(d.sqNorm[i]) + float64(o.Bias*o.Bias) + dg[i]
		if a := alpha[i]; a != 0 {
			warm = true
			delta := float32(a * float64(y[i]))
			d.axpy(i, delta, wt)
			wb += float64(delta) * float64(o.Bias)
		}
	}
	order := make([]int32, n)
	copy(order, rows)
	rng := rand.New(rand.NewPCG(seed, 0x5EED))
	// Shrinking (as in LIBLINEAR): an example whose multiplier is 0 and
	// whose gradient is comfortably positive is unlikely to become a
	// support vector, so it leaves the active set until the end, when a
	// final pass over everything confirms convergence. Most negatives of
	// a tag are such examples, which makes later passes cheap. LIBLINEAR's
	// threshold (the previous pass's largest projected gradient) stays
	// high for many passes on text, so an example well past the margin
	// (ShrinkAbove) leaves too; on Banking77 this halves the work with no
	// change in dev accuracy.
	active := n
	visited := 0
	pgMaxOld, pgMinOld := math.Inf(1), math.Inf(-1)
	for epoch := 0; epoch < o.Epochs; epoch++ {
		shrinkAt := pgMaxOld
		if o.ShrinkAbove > 0 && (epoch > 0 || warm) {
			shrinkAt = min(shrinkAt, o.ShrinkAbove)
		}
		if o.MaxWork > 0 && float64(visited) >= o.MaxWork*float64(n) {
			break
		}
		visited += active
		rng.Shuffle(active, func(a, b int) { order[a], order[b] = order[b], order[a] })
		pgMax, pgMin := math.Inf(-1), math.Inf(1)
		for s := 0; s < active; s++ {
			i := order[s]
			dot := d.dot(i, wt)
			yi := float64(y[i])
			g := yi*(float64(dot)+wb*float64(o.Bias)) - 1 + dg[i]*alpha[i]
			pg := g
			if alpha[i] == 0 {
				if g > shrinkAt {
					active--
					order[s], order[active] = order[active], order[s]
					s--
					continue
				}
				if g > 0 {
					pg = 0
				}
			}
			pgMax, pgMin = max(pgMax, pg), min(pgMin, pg)
			if math.Abs(pg) < 1e-12 {
				continue
			}
			old := alpha[i]
			alpha[i] = max(old-g/qd[i], 0)
			delta := float32((alpha[i] - old) * yi)
			d.axpy(i, delta, wt)
			wb += float64(delta) * float64(o.Bias)
		}
		if pgMax-pgMin <= o.Eps {
			if active == n {
				break
			}
			active = n
			pgMaxOld, pgMinOld = math.Inf(1), math.Inf(-1)
			continue
		}
		pgMaxOld, pgMinOld = pgMax, pgMin
		if pgMaxOld <= 0 {
			pgMaxOld = math.Inf(1)
		}
		if pgMinOld >= 0 {
			pgMinOld = math.Inf(-1)
		}
	}
	return float32(wb) * o.Bias
}

// workerCount resolves a Workers option (0: GOMAXPROCS).
func workerCount(w int) int {
	if w <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return w
}

// parallelChunks splits [0,n) into at most workerCount(workers) contiguous
// chunks of equal size (the last may be shorter) and runs fn on each in its
// own goroutine. Chunk boundaries depend only on n and the worker count.
func parallelChunks(n, workers int, fn func(lo, hi int)) {
	nw := workerCount(workers)
	chunk := (n + nw - 1) / nw
	if chunk == 0 {
		return
	}
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	wg.Wait()
}
