package suggest

import (
	"math"
	"testing"
)

// smallNamed is the smallest training set the product trains on (4 tags × 6
// texts, tagging.MinExamples is 20), with tag names and a parent tag ("a")
// that has no examples of its own.
func smallNamed() ([]Example, map[string]string, Taxonomy) {
	texts := map[string][]string{
		"z": {"changes do not show on my phone", "the tablet is out of date", "edits vanish between devices", "my laptop and phone disagree", "it does not update across devices", "stale data on the second device"},
		"b": {"charged twice this month", "wrong amount on the card", "need a receipt for accounting", "cancel my plan please", "price went up without notice", "vat missing on the receipt"},
		"l": {"cannot sign in with google", "password reset email never arrives", "locked out after two tries", "okta sign in loops", "two factor code rejected", "sso with azure fails"},
		"n": {"too many emails", "push alerts arrive late", "turn off the daily digest", "no alert when assigned", "badge count is wrong", "mute a project"},
	}
	var ex []Example
	for _, tag := range []string{"z", "b", "l", "n"} {
		for _, x := range texts[tag] {
			ex = append(ex, Example{Text: x, Tags: []string{tag}})
		}
	}
	names := map[string]string{"z": "Zorblax sync", "b": "Billing", "l": "Login", "n": "Notifications", "a": "Mobile app"}
	tax := Taxonomy{Parent: map[string]string{"z": "a", "n": "a"}}
	return ex, names, tax
}

// With 24 examples the calibration hold-out is 4 texts; when the model
// happens to get all 4 right, the fitted temperature used to run to its
// lower bound (the SVM's margins were multiplied by ≈ 225), so the tags'
// biases swamped the one feature a query had and every score was 1 or
// 1e-17. A word only a tag's name holds must lead to that tag, and no
// score may claim near certainty.
func TestSmallSetNameWordAndScores(t *testing.T) {
	ex, names, tax := smallNamed()
	for seed := uint64(1); seed <= 5; seed++ {
		m, err := Train(ex, Options{Seed: seed, TagNames: names, Taxonomy: tax})
		if err != nil {
			t.Fatal(err)
		}
		got := m.Predict("zorblax", 3, tax)
		if len(got) == 0 || got[0].Tag != "z" {
			t.Errorf("seed %d: zorblax → %+v, want z first", seed, got)
		} else if got[0].Score > 0.9 || got[len(got)-1].Score < 0.01 {
			t.Errorf("seed %d: zorblax → %+v, overconfident for one name word", seed, got)
		}
		for _, q := range []string{"qwxv blorp", "xqxq", "asdfgh jkl"} {
			all := m.Predict(q, 4, tax)
			if len(all) != 4 || all[0].Score > 0.6 || all[3].Score < 0.02 {
				t.Errorf("seed %d: nonsense %q → %+v, want no tag near 1 and none near 0", seed, q, all)
			}
		}
		// Texts the examples do cover are still confidently right.
		for q, want := range map[string]string{"charged twice on my card": "b", "password reset never arrives": "l", "daily digest emails": "n"} {
			if got := m.Predict(q, 1, tax); len(got) == 0 || got[0].Tag != want || got[0].Score < 0.5 {
				t.Errorf("seed %d: %q → %+v, want %s above 0.5", seed, q, got, want)
			}
		}
	}
}

// A held-out set the margins separate perfectly is evidence of high, not
// perfect, accuracy: the fitted temperature stays finite and the held-out
// texts' confidence stays near Laplace's (n+1)/(n+2).
func TestTemperatureSeparableHoldOut(t *testing.T) {
	h := heldOut{margins: [][]float32{{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}, gold: [][]int32{{0}, {1}, {2}, {3}}}
	temp := h.fitTemperature()
	p := softmaxT(h.margins[0], temp, nil)
	if temp < 0.05 || p[0] > 0.95 || p[0] < 0.7 {
		t.Fatalf("temperature %v gives %v on a separable hold-out of 4", temp, p)
	}
	// With many held-out texts the prior fades: the same margins, 1,000
	// times over, are evidence of near certainty.
	var big heldOut
	for i := 0; i < 1000; i++ {
		big.margins = append(big.margins, h.margins[i%4])
		big.gold = append(big.gold, h.gold[i%4])
	}
	if p := softmaxT(h.margins[0], big.fitTemperature(), nil); p[0] < 0.99 {
		t.Fatalf("1,000 separable held-out texts give only %v", p[0])
	}
}

// Platt scaling on a separable multi-label hold-out keeps a finite slope.
func TestPlattSeparableHoldOut(t *testing.T) {
	h := heldOut{margins: [][]float32{{1, -1, -1}, {-1, 1, -1}, {-1, -1, 1}, {1, 1, -1}}, gold: [][]int32{{0}, {1}, {2}, {0, 1}}}
	c := h.fitPlatt()
	p := c.apply([]float32{1, -1}, nil)
	if math.IsNaN(c.A) || p[0] > 0.95 || p[1] < 0.02 || p[0] < 0.6 {
		t.Fatalf("Platt %+v on a separable hold-out gives %v", c, p)
	}
}

// The margins for a text with no known word survive a save and load.
func TestSmallSetPersistsNoVectorMargins(t *testing.T) {
	ex, names, tax := smallNamed()
	m, err := Train(ex, Options{Seed: 1, TagNames: names, Taxonomy: tax})
	if err != nil || m.novec == nil {
		t.Fatalf("train: %v, novec %v", err, m.novec)
	}
	m2, _ := saveAndLoad(t, m)
	for _, q := range []string{"zorblax", "xqxq", "charged twice"} {
		a, b := m.Predict(q, 4, tax), m2.Predict(q, 4, tax)
		if len(a) != len(b) || a[0] != b[0] || a[len(a)-1] != b[len(b)-1] {
			t.Fatalf("%q: %+v before saving, %+v after", q, a, b)
		}
	}
}
