package suggest

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestReadExamplesCSV(t *testing.T) {
	in := "id,Text,category\n1,hello there,greet\n2,\"refund, and crash\",billing|bug\n\n3,x, a | b |\n"
	ex, err := ReadExamplesCSV(strings.NewReader(in), "f.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != 3 || ex[1].Text != "refund, and crash" || strings.Join(ex[1].Tags, ",") != "billing,bug" ||
		strings.Join(ex[2].Tags, ",") != "a,b" {
		t.Fatalf("parsed %#v", ex)
	}
}

// Other names for the columns, in order of preference, and tab-separated
// files (detected from a header line with tabs and no commas).
func TestReadExamplesCSVColumnsAndTabs(t *testing.T) {
	cases := []struct{ name, in, text, tags string }{
		{"review and class", "class,review\nbug,\"app \"\"crashes\"\"\"\n", "app \"crashes\"", "bug"},
		{"text preferred over body", "body,text,intent\nb,t,x\n", "t", "x"},
		{"label preferred over topic", "topic,utterance,label\nt1,hi,l1\n", "hi", "l1"},
		{"tab separated", "sentence\tlabel\nwhere is my card, please\tcard_arrival|x\n", "where is my card, please", "card_arrival,x"},
		{"tab separated with a stray quote", "text\tlabel\n5\" screen\tscreen\n", "5\" screen", "screen"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ex, err := ReadExamplesCSV(strings.NewReader(c.in), "f.csv")
			if err != nil {
				t.Fatal(err)
			}
			if len(ex) != 1 || ex[0].Text != c.text || strings.Join(ex[0].Tags, ",") != c.tags {
				t.Errorf("parsed %#v, want text %q tags %q", ex, c.text, c.tags)
			}
		})
	}
}

func TestReadExamplesCSVErrors(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"missing text", "words,label\nhi,a\n", "f.csv:1:1: header has no text column"},
		{"missing label", "text,foo\nhi,a\n", "f.csv:1:1: header has no label column"},
		{"bad quote", "text,label\nok,a\n\"unterminated,b\n", "f.csv:3:"},
		{"stray quote", "text,label\nok,a\nbad\"quote,b\n", "f.csv:3:4: bare \" in non-quoted-field"},
		{"empty label", "text,label\nok,a\nfine,  \n", "f.csv:3:6: empty label"},
		{"empty text", "text,label\n  ,a\n", "f.csv:2:1: empty text"},
		{"field count", "text,label\nok,a,extra\n", "f.csv:2:1: row has 3 fields, header has 2"},
		{"empty file", "", "f.csv:1:1: empty file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadExamplesCSV(strings.NewReader(c.in), "f.csv")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func FuzzEvalCSV(f *testing.F) {
	f.Add("text,label\nhello,a\n")
	f.Add("text,category\n\"a \"\"quoted\"\" text\",x|y\n")
	f.Add("label,text\n,\n")
	f.Add("text,label\n\"open\n")
	f.Fuzz(func(t *testing.T, in string) {
		ex, err := ReadExamplesCSV(strings.NewReader(in), "fuzz.csv")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, e := range ex {
			if strings.TrimSpace(e.Text) == "" || len(e.Tags) == 0 {
				t.Fatalf("accepted an example without text or tags: %#v", e)
			}
			for _, tag := range e.Tags {
				if tag == "" || strings.Contains(tag, "|") {
					t.Fatalf("bad tag %q", tag)
				}
			}
		}
	})
}

func writeCSV(t *testing.T, dir, name string, ex []Example) string {
	var b strings.Builder
	b.WriteString("text,label\n")
	for _, e := range ex {
		b.WriteString("\"" + strings.ReplaceAll(e.Text, "\"", "\"\"") + "\"," + strings.Join(e.Tags, "|") + "\n")
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// splitCSVs writes every fourth example to dir/heldName and the rest to
// dir/fitName, and returns both paths.
func splitCSVs(t *testing.T, dir string, all []Example, fitName, heldName string) (fitPath, heldPath string) {
	var fit, held []Example
	for i, e := range all {
		if i%4 == 0 {
			held = append(held, e)
		} else {
			fit = append(fit, e)
		}
	}
	return writeCSV(t, dir, fitName, fit), writeCSV(t, dir, heldName, held)
}

func TestEvalMain(t *testing.T) {
	dir := t.TempDir()
	tr, te := splitCSVs(t, dir, corpus(16), "train.csv", "test.csv")
	var out bytes.Buffer
	if err := EvalMain([]string{"--train", tr, "--test", te, "--k-shot", "3", "--seeds", "2"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"3-shot, mean (min – max) over 2 seeds", "top-1 accuracy:", "top-3 recall:", "micro F1:",
		"macro F1:", "predict latency p99 (ms):", "1-4 examples:", "training time (s):"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := EvalMain([]string{"--train", tr, "--dev", "0.25"}, &out); err != nil || !strings.Contains(out.String(), "dev split") {
		t.Errorf("dev mode: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := EvalMain([]string{"--train", tr, "--folds", "3"}, &out); err != nil || !strings.Contains(out.String(), "mean (min – max) over 3 folds") {
		t.Errorf("folds mode: %v\n%s", err, out.String())
	}
	if err := EvalMain([]string{"--train", tr, "--test", te, "--folds", "3"}, &out); err == nil {
		t.Error("--folds with --test accepted")
	}
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("text,label\nok,a\n\"broken,b\n"), 0o644)
	err := EvalMain([]string{"--train", bad, "--test", te}, &out)
	if err == nil || !strings.Contains(err.Error(), bad+":3:") {
		t.Errorf("bad file error = %v", err)
	}
	if err := EvalMain([]string{"--train", tr}, &out); err == nil {
		t.Error("missing --test accepted")
	}
}

// Files and splits with nothing to score are refused with a message, not a
// panic (found with a 5-line file and --folds 5).
func TestEvalNothingToScore(t *testing.T) {
	dir := t.TempDir()
	tiny := writeCSV(t, dir, "tiny.csv", corpus(1)) // 5 texts, one per tag
	two := writeCSV(t, dir, "two.csv", corpus(2))   // 2 per tag
	empty := filepath.Join(dir, "empty.csv")
	os.WriteFile(empty, []byte("text,label\n"), 0o644)
	cases := []struct {
		similar bool
		args    []string
		want    string
	}{
		{false, []string{"--train", two, "--folds", "3"}, "--folds 3: fold 3 has no texts to score"},
		{false, []string{"--train", tiny, "--dev", "0.2"}, "--dev 0.2: no tag in " + tiny},
		{false, []string{"--train", tiny, "--test", empty}, empty + ": no examples after the header"},
		{false, []string{"--train", empty, "--test", tiny}, empty + ": no examples after the header"},
		{true, []string{"--index", tiny, "--query", empty}, empty + ": no examples after the header"},
		{true, []string{"--index", tiny, "--dev", "0.2"}, "--dev 0.2: no tag in " + tiny},
	}
	for _, c := range cases {
		var out bytes.Buffer
		run := EvalMain
		if c.similar {
			run = EvalSimilarMain
		}
		err := run(c.args, &out)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error = %v, want %q", c.args, err, c.want)
		}
	}
}

func TestFoldSplit(t *testing.T) {
	ex := corpus(10) // 5 tags × 10 texts
	for i := range ex {
		ex[i].Text += " #" + strconv.Itoa(i) // unique, to count each text
	}
	const k = 3
	seen := map[string]int{}
	for f := 0; f < k; f++ {
		fit, held := foldSplit(ex, k, f)
		if len(fit)+len(held) != len(ex) {
			t.Fatalf("fold %d: %d + %d texts, want %d", f, len(fit), len(held), len(ex))
		}
		perTag := map[string]int{}
		for _, e := range held {
			seen[e.Text]++
			perTag[e.Tags[0]]++
		}
		for tag, n := range perTag {
			if n < 3 || n > 4 { // 10 texts dealt into 3 folds: 4, 3, 3
				t.Errorf("fold %d holds %d texts of %s", f, n, tag)
			}
		}
	}
	for _, e := range ex {
		if seen[e.Text] != 1 {
			t.Errorf("%q held out %d times, want once", e.Text, seen[e.Text])
		}
	}
}

func TestSampleKShot(t *testing.T) {
	ex := corpus(10)
	a, b := sampleKShot(ex, 3, 0), sampleKShot(ex, 3, 0)
	if len(a) != 15 || len(b) != 15 {
		t.Fatalf("len = %d", len(a))
	}
	for i := range a {
		if a[i].Text != b[i].Text {
			t.Fatal("sampling not deterministic")
		}
	}
	if len(sampleKShot(ex, 50, 1)) != len(ex) {
		t.Error("k larger than a tag's examples should take them all")
	}
}

func TestEvalSimilarMain(t *testing.T) {
	dir := t.TempDir()
	ip, qp := splitCSVs(t, dir, corpus(8), "index.csv", "query.csv")
	var out bytes.Buffer
	if err := EvalSimilarMain([]string{"--index", ip, "--query", qp, "--k", "3"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"indexed texts:", "precision@1):", "precision@3:", "hit@3):", "mean reciprocal rank", "unrelated text", "search latency p99"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// The corpus's phrases repeat within a tag, so nearly every query's
	// nearest text has its tag.
	docs, queries, err := readEvalFiles(ip, qp, 0)
	if err != nil {
		t.Fatal(err)
	}
	r := evaluateSimilar(docs, queries, 3)
	if r.p1 < 0.8 || r.hit < r.p1 || r.mrr < r.p1 || r.mrr > r.hit {
		t.Errorf("p@1 %.2f hit@3 %.2f mrr %.2f", r.p1, r.hit, r.mrr)
	}
	if err := EvalSimilarMain([]string{"--index", ip}, &out); err == nil {
		t.Error("missing --query accepted")
	}
}
