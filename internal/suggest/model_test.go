package suggest

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

func tagsOf(s []Suggestion) []string {
	var out []string
	for _, x := range s {
		out = append(out, x.Tag)
	}
	return out
}

func mustTrain(t *testing.T, ex []Example, o Options) *Model {
	t.Helper()
	m, err := Train(ex, o)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// saveAndLoad writes m as MarshalBinary does and reads it back into a new model,
// failing the test when either step fails; it returns the bytes too, for tests that
// corrupt them.
func saveAndLoad(t *testing.T, m *Model) (*Model, []byte) {
	t.Helper()
	data, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var m2 Model
	if err := m2.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	return &m2, data
}

func TestPredictTopTag(t *testing.T) {
	m := mustTrain(t, corpus(12), Options{Seed: 1})
	cases := []struct{ text, want string }{
		{"I was charged twice, I want a refund", "billing›refund"},
		{"my password is not accepted and I cannot log in", "login"},
		{"the app crashes every time", "bug›crash"},
		{"could you add a dark mode", "feature›dark"},
		{"my package still has not arrived", "shipping"},
	}
	for _, c := range cases {
		s := m.Predict(c.text, 3, Taxonomy{})
		if len(s) == 0 || s[0].Tag != c.want {
			t.Errorf("Predict(%q) = %v, want %s first", c.text, s, c.want)
		}
		var sum float64
		for _, x := range s {
			if x.Score < 0 || x.Score > 1 {
				t.Errorf("score %v out of [0,1]", x.Score)
			}
			sum += x.Score
		}
		if sum > 1+1e-9 {
			t.Errorf("scores sum to %v > 1", sum)
		}
	}
}

func TestMultiLabel(t *testing.T) {
	ex := corpus(12)
	both := []string{"refund please, the app crashes when I pay", "app keeps crashing and I want my money back",
		"crash on start, refund my order", "it freezes and closes, return the payment"}
	for i := 0; i < 3; i++ {
		for _, b := range both {
			ex = append(ex, Example{Text: b, Tags: []string{"billing›refund", "bug›crash"}})
		}
	}
	m := mustTrain(t, ex, Options{Seed: 3})
	s := m.Predict("the app crashes and I want a refund", 2, Taxonomy{})
	got := tagsOf(s)
	slices.Sort(got)
	if !slices.Equal(got, []string{"billing›refund", "bug›crash"}) {
		t.Fatalf("top-2 = %v, want refund and crash", s)
	}
	if s[1].Score < m.Threshold() {
		t.Errorf("second tag %v below multi-label threshold %v", s[1], m.Threshold())
	}
}

func TestMergedTagCountsForSurvivor(t *testing.T) {
	ex := corpus(10)
	// Half the refund examples still carry the old tag name.
	for i := range ex {
		if ex[i].Tags[0] == "billing›refund" && i%2 == 0 {
			ex[i].Tags = []string{"refunds-old"}
		}
	}
	tax := Taxonomy{MergedInto: map[string]string{"refunds-old": "billing›refund"}}
	m := mustTrain(t, ex, Options{Seed: 1, Taxonomy: tax})
	if slices.Contains(m.Tags(), "refunds-old") {
		t.Fatalf("merged tag trained as its own class: %v", m.Tags())
	}
	for i, tag := range m.tags {
		if tag == "billing›refund" && m.nEx[i] != 10 {
			t.Errorf("surviving tag has %d examples, want 10", m.nEx[i])
		}
	}
	// A merge made after training is applied at predict time.
	later := Taxonomy{MergedInto: map[string]string{"billing›refund": "money-back"}}
	s := m.Predict("please refund my order", 3, later)
	if s[0].Tag != "money-back" || slices.Contains(tagsOf(s), "billing›refund") {
		t.Errorf("predict-time merge not applied: %v", s)
	}
}

func TestArchivedNeverSuggested(t *testing.T) {
	m := mustTrain(t, corpus(10), Options{Seed: 1})
	tax := Taxonomy{Archived: map[string]bool{"login": true, "bug›crash": true},
		Parent: map[string]string{"bug›crash": "bug"}}
	for _, text := range []string{"cannot log in", "password reset does not work", "the app crashes", "hello"} {
		s := m.Predict(text, 10, tax)
		if slices.Contains(tagsOf(s), "login") || slices.Contains(tagsOf(s), "bug›crash") {
			t.Errorf("archived tag suggested for %q: %v", text, s)
		}
	}
	// The archived child's mass moves to its live parent.
	if s := m.Predict("the app crashes on start", 1, tax); len(s) == 0 || s[0].Tag != "bug" {
		t.Errorf("archived child should hand over to parent: %v", s)
	}
}

func TestDeepTagOverParent(t *testing.T) {
	tax := Taxonomy{Parent: map[string]string{"billing›refund": "billing", "billing›invoice": "billing"}}
	var ex []Example
	for _, e := range corpus(10) {
		if e.Tags[0] == "billing›refund" {
			// The team applied both the parent and the leaf.
			e.Tags = []string{"billing", "billing›refund"}
		}
		ex = append(ex, e)
	}
	for _, txt := range []string{"question about my bill", "billing question", "about the bill I got", "I have a question on billing"} {
		ex = append(ex, Example{Text: txt, Tags: []string{"billing"}})
	}
	m := mustTrain(t, ex, Options{Seed: 1, Taxonomy: tax})
	for i, tag := range m.tags {
		if tag == "billing" && m.nEx[i] != 4 {
			t.Errorf("parent should only learn from parent-only examples, got %d", m.nEx[i])
		}
	}
	s := m.Predict("refund my order please", 3, tax)
	if s[0].Tag != "billing›refund" {
		t.Fatalf("want the leaf first, got %v", s)
	}
	if slices.Contains(tagsOf(s), "billing") && s[0].Score >= confidentScore {
		t.Errorf("ancestor listed next to a confident descendant: %v", s)
	}
	// dropImpliedAncestors on its own: an ancestor scoring higher than a
	// confident descendant is dropped.
	got := dropImpliedAncestors([]Suggestion{{"billing", 0.55}, {"billing›refund", 0.5}, {"login", 0.1}}, tax, 3)
	if slices.Contains(tagsOf(got), "billing") || got[0].Tag != "billing›refund" {
		t.Errorf("dropImpliedAncestors = %v", got)
	}
}

func TestDeterministic(t *testing.T) {
	ex := corpus(30) // enough examples per tag for the network expert
	m := mustTrain(t, ex, Options{Seed: 42})
	if m.net == nil {
		t.Fatal("30 examples per tag: no network expert")
	}
	a, _ := m.MarshalBinary()
	b, _ := mustTrain(t, ex, Options{Seed: 42, Workers: 1}).MarshalBinary()
	if !bytes.Equal(a, b) {
		t.Fatal("same seed gave different models")
	}
}

func TestPersistenceRoundTrip(t *testing.T) {
	for _, n := range []int{10, 30} { // without and with the network expert
		t.Run(fmt.Sprint(n), func(t *testing.T) { testRoundTrip(t, n) })
	}
}

func testRoundTrip(t *testing.T, perTag int) {
	m := mustTrain(t, corpus(perTag), Options{Seed: 7})
	m2, data := saveAndLoad(t, m)
	if m.Outdated() || m2.Outdated() {
		t.Error("a model of this build reported outdated")
	}
	if (m.net == nil) != (perTag < 20) || (m2.net == nil) != (m.net == nil) {
		t.Fatalf("%d per tag: network expert %v, after reading %v", perTag, m.net != nil, m2.net != nil)
	}
	for _, text := range []string{"refund my order", "app crashes", "dark mode please", "where is my parcel", "zzz"} {
		a, b := m.Predict(text, 5, Taxonomy{}), m2.Predict(text, 5, Taxonomy{})
		if !slices.Equal(a, b) {
			t.Errorf("%q: before %v after %v", text, a, b)
		}
	}
	if m2.Threshold() != m.Threshold() {
		t.Error("threshold not persisted")
	}
	// Corrupt or truncated input is an error, never a panic.
	for _, bad := range [][]byte{nil, []byte("CLSG"), data[:len(data)/2], append([]byte("XXXX"), data[4:]...)} {
		var m3 Model
		if err := m3.UnmarshalBinary(bad); err == nil {
			t.Errorf("corrupt model of %d bytes accepted", len(bad))
		}
	}
}

func TestCalibrationFitsTemperature(t *testing.T) {
	h := heldOut{margins: [][]float32{{2, 0, 0}, {0, 2, 0}, {2, 0, 0}, {0, 0, 2}}, gold: [][]int32{{0}, {1}, {1}, {2}}}
	temp := h.fitTemperature()
	if !(temp > 0.1 && temp < 100) || h.nll(temp) > h.nll(1)+1e-9 {
		t.Errorf("temperature %v does not minimise NLL", temp)
	}
	if got := predictedSet([]float64{0.5, 0.45, 0.05}, 0.4); !slices.Equal(got, []int32{0, 1}) {
		t.Errorf("predictedSet = %v", got)
	}
}

func TestTrainErrors(t *testing.T) {
	if _, err := Train(nil, Options{}); err != ErrNoExamples {
		t.Errorf("Train(nil) error = %v", err)
	}
	if _, err := Train([]Example{{Text: "  ", Tags: []string{"a"}}, {Text: "hi"}}, Options{}); err != ErrNoExamples {
		t.Errorf("untagged/empty examples error = %v", err)
	}
	m := mustTrain(t, []Example{{Text: "only one tag", Tags: []string{"a"}}}, Options{})
	if s := m.Predict("anything", 3, Taxonomy{}); len(s) != 1 || s[0].Tag != "a" || math.Abs(s[0].Score-1) > 1e-9 {
		t.Errorf("single-tag model predicted %v", s)
	}
	if s := m.Predict("", 3, Taxonomy{}); s != nil {
		t.Errorf("empty text predicted %v", s)
	}
}

func TestTokenize(t *testing.T) {
	got := tokenize("I can't log-in, isn't it John's card? Top-up £50! Im sure it didnt, I wont")
	want := []string{"i", "can", "not", "log", "in", "is", "not", "it", "john", "card", "top", "up", "£", "50",
		"i", "am", "sure", "it", "did", "not", "i", "wont"}
	if !slices.Equal(got, want) {
		t.Errorf("tokenize = %q, want %q", got, want)
	}
	got = tokenize("Love it😍😍 ★★ but £5 crashes ❤️ \xff\ufffd")
	want = []string{"love", "it", "😍", "😍", "★", "★", "but", "£", "5", "crashes", "❤"}
	if !slices.Equal(got, want) {
		t.Errorf("tokenize = %q, want %q", got, want)
	}
}

// Emoji are words: reviews that differ only in them can be told apart.
func TestEmojiLearned(t *testing.T) {
	var ex []Example
	for _, w := range []string{"app", "the app", "this app", "update", "new version", "my app today"} {
		ex = append(ex, Example{Text: w + " 😡", Tags: []string{"angry"}})
		ex = append(ex, Example{Text: w + " 😍", Tags: []string{"happy"}})
	}
	m := mustTrain(t, ex, Options{Seed: 1})
	for q, want := range map[string]string{"the update 😡😡": "angry", "update 😍": "happy"} {
		if got := m.Predict(q, 1, Taxonomy{}); len(got) == 0 || got[0].Tag != want {
			t.Errorf("Predict(%q) = %v, want %s", q, got, want)
		}
	}
}

func TestTrainer(t *testing.T) {
	tr := NewTrainer(Options{Seed: 1})
	if tr.Model() != nil {
		t.Fatal("model before training")
	}
	tr.Retrain(corpus(4))
	tr.Retrain(corpus(8)) // coalesced with the first
	if err := tr.Wait(); err != nil {
		t.Fatal(err)
	}
	if m := tr.Model(); m == nil || m.Predict("refund my order", 1, Taxonomy{})[0].Tag != "billing›refund" {
		t.Fatal("trainer did not produce a usable model")
	}
	// A label travels with the examples to the model trained from them.
	tr.RetrainLabelled(corpus(4), Options{Seed: 1}, "v7")
	if err := tr.Wait(); err != nil || tr.ModelLabel() != "v7" {
		t.Fatalf("label %q, err %v; want v7", tr.ModelLabel(), err)
	}
	tr.SetModel(tr.Model(), "loaded")
	if tr.ModelLabel() != "loaded" {
		t.Fatalf("label after SetModel %q", tr.ModelLabel())
	}
}

// A run queued while another trains starts only after a rest proportional to
// the last run's duration; with Rest < 0 it starts at once.
func TestTrainerRests(t *testing.T) {
	for _, tc := range []struct {
		rest      float64
		wantSleep bool
	}{{0, true}, {2, true}, {-1, false}} {
		tr := NewTrainer(Options{Seed: 1})
		tr.Rest = tc.rest
		var slept []time.Duration
		tr.sleep = func(d time.Duration) { slept = append(slept, d) }
		runs := 0
		var first time.Duration
		var started time.Time
		tr.OnTrained = func(m *Model, err error) {
			runs++
			if runs == 1 {
				first = time.Since(started)
				tr.Retrain(corpus(8)) // tagging changed while the first run trained
			}
		}
		started = time.Now()
		tr.Retrain(corpus(4))
		if err := tr.Wait(); err != nil {
			t.Fatal(err)
		}
		if runs != 2 {
			t.Fatalf("rest %v: %d runs, want 2", tc.rest, runs)
		}
		if !tc.wantSleep {
			if len(slept) != 0 {
				t.Errorf("rest %v: slept %v, want no rest", tc.rest, slept)
			}
			continue
		}
		want := tc.rest
		if want == 0 {
			want = defaultRest
		}
		// The rest is measured on the run itself, which ends before
		// OnTrained is called: it lies between 0 and want × first.
		if len(slept) != 1 || slept[0] <= 0 || slept[0] > time.Duration(want*float64(first)) {
			t.Errorf("rest %v: slept %v, want one rest in (0, %v]", tc.rest, slept, time.Duration(want*float64(first)))
		}
	}
}

// A tag that only ever appears as a second label (never first) must not break the
// calibration split. Found by the demo data: a panic in splitHoldOut.
func TestTagOnlyAsSecondLabel(t *testing.T) {
	var ex []Example
	for i := 0; i < 30; i++ {
		ex = append(ex, Example{Text: fmt.Sprintf("invoice total wrong %d", i), Tags: []string{"billing"}})
		ex = append(ex, Example{Text: fmt.Sprintf("export csv broken %d", i), Tags: []string{"exports", "bugs"}})
	}
	m, err := Train(ex, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Predict("csv export", 3, Taxonomy{}); len(got) == 0 {
		t.Fatal("no prediction")
	}
}
