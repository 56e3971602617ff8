package suggest

import "math"

// qmatrix is a trained model's weight matrix, feature-major (row f holds
// feature f's weight for every tag), stored as one byte per weight: row f
// is off[f] + scale[f]·q[f][t]. With ~700 tags the float32 matrix was
// 175 MB in memory and on disk; this is a quarter of that. Quantising
// each row around its midpoint keeps the error within scale/2 of the
// weight, and the naive Bayes log-probabilities folded into the rows (large,
// nearly equal for all tags) go into off, which shifts every tag's margin
// equally. Banking77 figures are unchanged by it (RESULTS.md).
type qmatrix struct {
	nTags int
	q     []int8    // rows × nTags
	scale []float32 // per row
	off   []float32 // per row
}

// quantize encodes the feature-major matrix w (len rows × nTags).
func quantize(w []float32, nTags int) qmatrix {
	rows := 0
	if nTags > 0 {
		rows = len(w) / nTags
	}
	m := qmatrix{nTags: nTags, q: make([]int8, len(w)), scale: make([]float32, rows), off: make([]float32, rows)}
	for r := 0; r < rows; r++ {
		row := w[r*nTags : (r+1)*nTags]
		lo, hi := row[0], row[0]
		for _, x := range row {
			lo, hi = min(lo, x), max(hi, x)
		}
		off, sc := lo+(hi-lo)/2, (hi-lo)/254
		m.off[r] = off
		if sc == 0 {
			continue
		}
		m.scale[r] = sc
		q := m.q[r*nTags : (r+1)*nTags]
		for t, x := range row {
			q[t] = int8(max(-127, min(127, math.Round(float64((x-off)/sc)))))
		}
	}
	return m
}

func (m *qmatrix) rows() int { return len(m.off) }

// addScores adds the margins of v to out (len nTags): Σ x_f·row(f) over
// v's features within the matrix.
func (m *qmatrix) addScores(v sparseVec, out []float32) {
	nr := int32(m.rows())
	var shift float32 // Σ x_f·off[f], the same for every tag
	for k, f := range v.idx {
		if f >= nr {
			break
		}
		x := v.val[k]
		shift += x * m.off[f]
		if s := m.scale[f]; s != 0 {
			axpyQ8(out, m.q[int(f)*m.nTags:int(f+1)*m.nTags], x*s)
		}
	}
	for t := range out {
		out[t] += shift
	}
}

// axpyQ8 adds a·q to y (len(q) ≥ len(y)), four lanes at a time.
func axpyQ8(y []float32, q []int8, a float32) {
	q = q[:len(y)]
	i := 0
	for ; i+4 <= len(y); i += 4 {
		yy, qq := y[i:i+4:i+4], q[i:i+4:i+4]
		yy[0] += a * float32(qq[0])
		yy[1] += a * float32(qq[1])
		yy[2] += a * float32(qq[2])
		yy[3] += a * float32(qq[3])
	}
	for ; i < len(y); i++ {
		y[i] += a * float32(q[i])
	}
}
