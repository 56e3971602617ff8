package suggest

import (
	"math"
	"testing"
)

// TestMLPLearnsInteraction: tag 0 when exactly one of two features is
// present, tag 1 when both or neither are (with a third, always-present
// feature so "neither" is not an empty row). No linear scorer can separate
// that (XOR); the network must, or its hidden layer does nothing.
func TestMLPLearnsInteraction(t *testing.T) {
	d := newDataset(3, 3)
	rows := []struct {
		v   sparseVec
		tag int32
	}{
		{sparseVec{idx: []int32{0, 2}, val: []float32{1, 1}}, 0},
		{sparseVec{idx: []int32{1, 2}, val: []float32{1, 1}}, 0},
		{sparseVec{idx: []int32{0, 1, 2}, val: []float32{1, 1, 1}}, 1},
		{sparseVec{idx: []int32{2}, val: []float32{1}}, 1},
	}
	for range 50 {
		for _, r := range rows {
			d.add(r.v, []int32{r.tag})
		}
	}
	n := trainMLP(d, nil, 2, 1)
	for k, lg := range n.rowLogits(d, []int32{0, 1, 2, 3}) {
		if want := rows[k].tag; !(lg[want] > lg[1-want]) {
			t.Errorf("row %v: logits %v, want tag %d first", rows[k].v.idx, lg, want)
		}
	}
	// Same seed, same network.
	a, b := trainMLP(d, nil, 2, 1), trainMLP(d, nil, 2, 1)
	for i := range a.w2 {
		if a.w2[i] != b.w2[i] {
			t.Fatal("same seed gave different networks")
		}
	}
}

func TestMLPWeightRule(t *testing.T) {
	for _, c := range []struct{ perTag, want float64 }{
		{3, 0}, {10, 0}, {20, 0.25}, {30, 0.5}, {50, 1}, {130, 1},
	} {
		if got := mlpWeightFor(c.perTag); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("mlpWeightFor(%v) = %v, want %v", c.perTag, got, c.want)
		}
	}
	// The rule applies in Train: few examples per tag, no network.
	if m := mustTrain(t, corpus(8), Options{Seed: 1}); m.net != nil {
		t.Error("8 examples per tag: network trained")
	}
	if m := mustTrain(t, corpus(30), Options{Seed: 1, MLPWeight: -1}); m.net != nil {
		t.Error("MLPWeight < 0: network trained")
	}
}
