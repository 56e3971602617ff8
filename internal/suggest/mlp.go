package suggest

import (
	"math"
	"math/rand/v2"
)

// mlp is a small network with one hidden layer (ReLU units, softmax
// output) over the sparse features: the one non-linear expert. The linear
// experts score each tag from each feature on its own; hidden units respond
// to combinations of features, which separates near-synonymous tags the
// linear experts confuse and ranks the runner-up tags differently. On 5-fold
// cross-validation of Banking77 it lifts top-1 by about half a point and
// top-3 by about a third of one (RESULTS.md). Its logits are added to the
// linear margins, scaled like the other experts (weight over a temperature
// fitted on the held-out split); that scale is folded into the output layer.
type mlp struct {
	w1 qmatrix   // sparse features × hidden units, one byte per weight
	b1 []float32 // hidden
	w2 []float32 // tags × hidden
	b2 []float32 // tags
}

const (
	// mlpHidden, mlpEpochs, mlpRate and mlpInit were chosen on 5-fold
	// cross-validation of Banking77's train.csv (RESULTS.md): 32 units rank
	// as well as 64 or 128 and cost half; a large initial scale (unit
	// variance) left the network 3 points less accurate than a small one,
	// which starts it close to a linear model.
	mlpHidden = 32
	mlpEpochs = 5
	mlpRate   = 0.1
	mlpInit   = 0.1
	// mlpSkip: an example whose gold tag the network already gives all but
	// this much probability, or a tag whose gradient is smaller, is not
	// updated (a speed change; CV figures unchanged, RESULTS.md).
	mlpSkip = float32(1e-3)
)

// mlpWeightFor is the network's weight in the product of experts for a
// median of perTag examples per tag: 0 up to 10 (at 10 per tag it cost
// 0.7 points of top-1, and is not trained at all), rising linearly to 1 at
// 50 (at 30 per tag, 0.5 beat 1).
func mlpWeightFor(perTag float64) float64 {
	return min(max((perTag-10)/40, 0), 1)
}

// trainMLP fits the network on rows (nil: all) by stochastic gradient
// descent, one example at a time in a seeded order (so the result is
// deterministic), with the step decaying linearly to zero and a row-wise
// AdaGrad step size: one accumulator per weight row, as for embedding
// tables. TF-IDF values are small and uneven across features, and one
// global rate either stalls the rare features or overshoots the output
// layer.
func trainMLP(d *dataset, rows []int32, nTags int, seed uint64) *mlp {
	rows = d.rowsOrAll(rows)
	const h = mlpHidden
	nIn := d.nSparse
	w1 := make([]float32, nIn*h)
	b1 := make([]float32, h)
	w2 := make([]float32, nTags*h)
	b2 := make([]float32, nTags)
	r := rand.New(rand.NewPCG(seed, 0x6d6c70))
	// Uniform weights; for a typical row, the hidden pre-activations start
	// with standard deviation mlpInit.
	var sq float64
	for _, i := range rows {
		for _, v := range d.val[d.rowPtr[i]:d.rowPtr[i+1]] {
			sq += float64(v) * float64(v)
		}
	}
	s1 := mlpInit * math.Sqrt(3) / math.Sqrt(max(sq/float64(max(len(rows), 1)), 1e-6))
	for i := range w1 {
		w1[i] = float32((r.Float64()*2 - 1) * s1)
	}
	s2 := math.Sqrt(6 / float64(h+nTags))
	for i := range w2 {
		w2[i] = float32((r.Float64()*2 - 1) * s2)
	}

	acc1 := make([]float32, nIn)
	acc2 := make([]float32, nTags)
	accb1 := make([]float32, h)
	accb2 := make([]float32, nTags)
	step := func(acc *float32, g2 float32) float32 {
		*acc += g2
		return float32(1 / math.Sqrt(float64(*acc)+1e-6))
	}
	order := append([]int32(nil), rows...)
	pre, z, g := make([]float32, h), make([]float32, h), make([]float32, h)
	p := make([]float32, nTags)
	total, done := float32(mlpEpochs*len(order)), float32(0)
	for range mlpEpochs {
		r.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, i := range order {
			lr := mlpRate * (1 - done/total)
			done++
			lo, hi := d.rowPtr[i], d.rowPtr[i+1]
			idx, val := d.idx[lo:hi], d.val[lo:hi]
			copy(pre, b1)
			for k, f := range idx {
				axpyF(val[k], w1[int(f)*h:int(f+1)*h], pre)
			}
			outputs(pre, z, w2, b2, p)
			softmax32(p)
			share := 1 / float32(len(d.labels[i]))
			var miss float32
			for _, t := range d.labels[i] {
				miss += max(share-p[t], 0)
				p[t] -= share // p is now the logits' gradient
			}
			if miss < mlpSkip {
				continue
			}
			zsq := dotDense(z, z) / h
			clear(g)
			for t, dz := range p {
				if dz < mlpSkip && dz > -mlpSkip {
					continue // a negligible tag: its update would be noise
				}
				w := w2[t*h : (t+1)*h]
				axpyF(dz, w, g) // the hidden gradient uses W2 before it moves
				axpyF(-lr*dz*step(&acc2[t], dz*dz*zsq), z, w)
				b2[t] -= lr * dz * step(&accb2[t], dz*dz)
			}
			for j := range g {
				if pre[j] <= 0 {
					g[j] = 0
				}
				b1[j] -= lr * g[j] * step(&accb1[j], g[j]*g[j])
			}
			gsq := dotDense(g, g) / h
			for k, f := range idx {
				x := val[k]
				axpyF(-lr*x*step(&acc1[f], x*x*gsq), g, w1[int(f)*h:int(f+1)*h])
			}
		}
	}
	return &mlp{w1: quantize(w1, h), b1: b1, w2: w2, b2: b2}
}

// outputs rectifies the hidden pre-activations pre into z and sets out to
// the output logits.
func outputs(pre, z, w2, b2, out []float32) {
	h := len(pre)
	for j, v := range pre {
		z[j] = max(v, 0)
	}
	for t := range out {
		out[t] = b2[t] + dotDense(w2[t*h:(t+1)*h], z)
	}
}

// addLogits adds the network's logits for v to out.
func (n *mlp) addLogits(v sparseVec, out []float32) {
	h := len(n.b1)
	pre := make([]float32, 2*h+len(out))
	z, lg := pre[h:2*h], pre[2*h:]
	pre = pre[:h]
	copy(pre, n.b1)
	n.w1.addScores(v, pre)
	outputs(pre, z, n.w2, n.b2, lg)
	for t, x := range lg {
		out[t] += x
	}
}

// rowLogits returns the network's logits for dataset rows.
func (n *mlp) rowLogits(d *dataset, rows []int32) [][]float32 {
	out := make([][]float32, len(rows))
	for k, i := range rows {
		out[k] = make([]float32, len(n.b2))
		lo, hi := d.rowPtr[i], d.rowPtr[i+1]
		n.addLogits(sparseVec{idx: d.idx[lo:hi], val: d.val[lo:hi]}, out[k])
	}
	return out
}

// scale multiplies the output layer by a, which multiplies the logits.
func (n *mlp) scale(a float32) {
	for i := range n.w2 {
		n.w2[i] *= a
	}
	for i := range n.b2 {
		n.b2[i] *= a
	}
}

// axpyF adds a·x to y, four lanes at a time.
func axpyF(a float32, x, y []float32) {
	y = y[:len(x)]
	j := 0
	for ; j+4 <= len(x); j += 4 {
		xx, yy := x[j:j+4:j+4], y[j:j+4:j+4]
		yy[0] += a * xx[0]
		yy[1] += a * xx[1]
		yy[2] += a * xx[2]
		yy[3] += a * xx[3]
	}
	for ; j < len(x); j++ {
		y[j] += a * x[j]
	}
}

// softmax32 turns logits into probabilities in place.
func softmax32(p []float32) {
	m := p[0]
	for _, v := range p {
		m = max(m, v)
	}
	var s float32
	for i, v := range p {
		p[i] = float32(math.Exp(float64(v - m)))
		s += p[i]
	}
	for i := range p {
		p[i] /= s
	}
}
