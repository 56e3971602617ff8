package suggest

import "math"

// lda returns the weights and biases of linear discriminant analysis over
// the dense block (the pooled word vectors) from rows (nil: all): a
// Gaussian per tag with the tag's mean and a covariance shared by all
// tags, shrunk towards a multiple of the identity by Ledoit and Wolf's
// (2004) estimate of the best amount, so it is well-conditioned even with
// fewer texts than dimensions. Its log-likelihood is linear in the
// features: x·Σ⁻¹μ_t − ½μ_t·Σ⁻¹μ_t (uniform prior). fn receives each
// tag's weights over all features (zero on the sparse ones). Rows with no
// known word are left out.
func ldaColumns(d *dataset, rows []int32, nTags int, fn columnFn) {
	p := d.denseDim()
	rows = d.rowsOrAll(rows)
	mu := make([]float64, nTags*p)
	cnt := make([]float64, nTags)
	for _, i := range rows {
		if d.noDense[i] {
			continue
		}
		x := d.denseRow(i)
		for _, t := range d.labels[i] {
			cnt[t]++
			m := mu[int(t)*p : int(t+1)*p]
			for j, v := range x {
				m[j] += float64(v)
			}
		}
	}
	for t := range cnt {
		if cnt[t] > 0 {
			for j := range p {
				mu[t*p+j] /= cnt[t]
			}
		}
	}
	S := make([]float64, p*p)
	z := make([]float64, p)
	var n, sum4 float64
	for _, i := range rows {
		if d.noDense[i] {
			continue
		}
		x := d.denseRow(i)
		t := int(d.labels[i][0])
		var nz float64
		for j, v := range x {
			z[j] = float64(v) - mu[t*p+j]
			nz += z[j] * z[j]
		}
		sum4 += nz * nz
		n++
		for a := 0; a < p; a++ {
			za := z[a]
			if za == 0 {
				continue
			}
			row := S[a*p : a*p+p]
			for b := a; b < p; b++ {
				row[b] += za * z[b]
			}
		}
	}
	for a := 0; a < p; a++ {
		for b := a; b < p; b++ {
			S[a*p+b] /= max(n, 1)
			S[b*p+a] = S[a*p+b]
		}
	}
	var tr, fro float64
	for a := 0; a < p; a++ {
		tr += S[a*p+a]
	}
	for _, v := range S {
		fro += v * v
	}
	// Shrinkage γ = min(1, b²/d²) with d² = ‖S − mI‖² and b² the
	// estimated variance of S, (1/n²)·Σ‖zzᵀ − S‖² = (Σ‖z‖⁴/n − ‖S‖²)/n.
	m := tr / float64(p)
	d2 := fro - 2*m*tr + m*m*float64(p)
	b2 := (sum4/max(n, 1) - fro) / max(n, 1)
	shrink := 1.0
	if d2 > 0 {
		shrink = min(1, max(b2, 0)/d2)
	}
	for a := 0; a < p; a++ {
		for b := 0; b < p; b++ {
			S[a*p+b] *= 1 - shrink
		}
		S[a*p+a] += shrink * m
	}
	L, ok := cholesky(S, p)
	col := make([]float32, d.nFeat)
	sol := make([]float64, p)
	for t := 0; t < nTags; t++ {
		clear(col)
		var bias float32
		// A tag none of whose texts has a known word scores 0.
		if ok && cnt[t] > 0 {
			copy(sol, mu[t*p:(t+1)*p])
			cholSolve(L, p, sol)
			var q float64
			for j, v := range sol {
				col[d.nSparse+j] = float32(v)
				q += v * mu[t*p+j]
			}
			bias = float32(-q / 2)
		}
		fn(t, col, bias)
	}
}

// cholesky returns the lower-triangular L with L Lᵀ = A (n×n, row-major),
// or false when A is not positive definite.
func cholesky(A []float64, n int) ([]float64, bool) {
	L := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			s := A[i*n+j]
			for k := 0; k < j; k++ {
				s -= L[i*n+k] * L[j*n+k]
			}
			if i == j {
				if s <= 0 {
					return nil, false
				}
				L[i*n+i] = math.Sqrt(s)
			} else {
				L[i*n+j] = s / L[j*n+j]
			}
		}
	}
	return L, true
}

// cholSolve solves L Lᵀ x = b in place.
func cholSolve(L []float64, n int, b []float64) {
	for i := 0; i < n; i++ {
		s := b[i]
		for k := 0; k < i; k++ {
			s -= L[i*n+k] * b[k]
		}
		b[i] = s / L[i*n+i]
	}
	for i := n - 1; i >= 0; i-- {
		s := b[i]
		for k := i + 1; k < n; k++ {
			s -= L[k*n+i] * b[k]
		}
		b[i] = s / L[i*n+i]
	}
}
