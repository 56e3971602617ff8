package suggest

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// Hand-worked: row 0 is [-1, 0, 1.54] (midpoint 0.27, step 2.54/254 =
// 0.01, codes -127, -27, 127); row 1 is constant, so all of it is offset.
func TestQuantizeRows(t *testing.T) {
	w := []float32{-1, 0, 1.54, 2, 2, 2}
	m := quantize(w, 3)
	if m.q[0] != -127 || m.q[1] != -27 || m.q[2] != 127 || m.scale[1] != 0 || m.off[1] != 2 {
		t.Fatalf("codes %v scales %v offsets %v", m.q, m.scale, m.off)
	}
	// x = 0.5 on row 0 and 2 on row 1: 0.5·[-1, 0, 1.54] + 2·[2, 2, 2].
	out := []float32{0, 0, 0}
	m.addScores(sparseVec{idx: []int32{0, 1, 7}, val: []float32{0.5, 2, 9}}, out)
	for i, want := range []float32{3.5, 4, 4.77} {
		if math.Abs(float64(out[i]-want)) > 1e-5 {
			t.Errorf("margins %v, want [3.5 4 4.77]", out)
			break
		}
	}
}

// Every decoded weight is within half a step of the original.
func TestQuantizeErrorBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const rows, nTags = 50, 37
	w := make([]float32, rows*nTags)
	for i := range w {
		w[i] = float32(rng.NormFloat64()*3 - 10)
	}
	m := quantize(w, nTags)
	for r := 0; r < rows; r++ {
		s, o := m.scale[r], m.off[r]
		for t2 := 0; t2 < nTags; t2++ {
			got := o + s*float32(m.q[r*nTags+t2])
			if d := math.Abs(float64(got - w[r*nTags+t2])); d > float64(s)/2*1.0001 {
				t.Fatalf("row %d tag %d: %v decodes to %v (step %v)", r, t2, w[r*nTags+t2], got, s)
			}
		}
	}
}

// A model saved by the previous format (float32 weights, version 2) still
// loads and predicts what it predicted when it was saved. The fixture was
// written by commit ca2e5a5's build from corpus(4), seed 1.
func TestLoadVersion2Model(t *testing.T) {
	b, err := os.ReadFile("testdata/model-v2.bin")
	if err != nil {
		t.Fatal(err)
	}
	var m Model
	if err := m.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !m.Outdated() {
		t.Error("a version-2 model is not reported outdated")
	}
	for _, c := range []struct {
		q, tag string
		score  float64
	}{
		{"refund my order", "billing›refund", 0.9517},
		{"app keeps crashing", "bug›crash", 0.9905},
		{"dark theme please", "feature›dark", 0.9558},
		{"cannot log in", "login", 0.9427},
	} {
		got := m.Predict(c.q, 1, Taxonomy{})
		if len(got) == 0 || got[0].Tag != c.tag || math.Abs(got[0].Score-c.score) > 0.01 {
			t.Errorf("Predict(%q) = %v, want %s %.4f (as saved)", c.q, got, c.tag, c.score)
		}
	}
}
