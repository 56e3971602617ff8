package suggest

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"
)

// EvalSimilarMain implements `closeloop eval similar`: it indexes the
// texts of one CSV and, for every text of another, asks the Index for its
// nearest neighbours. Texts that share a label stand in for items that
// say the same thing (duplicates worth linking), so it prints how often
// the nearest neighbour shares the query's label (precision@1), how many
// of the first k do (precision@k), how often any of them does (hit@k),
// the mean reciprocal rank of the first that does, and search latency.
//
//	--index FILE   texts to index (columns text, label|category)
//	--query FILE   query texts; omit and pass --dev F to query with a
//	               held-out fraction F of --index instead (for tuning)
//	--k K          neighbours scored (default 5)
func EvalSimilarMain(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("eval similar", flag.ContinueOnError)
	fs.SetOutput(stdout)
	indexPath := fs.String("index", "", "CSV `file` of texts to index")
	queryPath := fs.String("query", "", "CSV `file` of query texts")
	dev := fs.Float64("dev", 0, "without --query: query with this held-out `fraction` of --index")
	k := fs.Int("k", 5, "neighbours scored")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *indexPath == "" || (*queryPath == "" && *dev <= 0) {
		return errors.New("eval similar: need --index FILE and --query FILE (or --dev FRACTION)")
	}
	if *k < 1 {
		return errors.New("eval similar: --k must be at least 1")
	}
	docs, queries, err := readEvalFiles(*indexPath, *queryPath, *dev)
	if err != nil {
		return err
	}
	r := evaluateSimilar(docs, queries, *k)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "indexed texts:\t%d\n", len(docs))
	fmt.Fprintf(tw, "queries:\t%d\n", len(queries))
	fmt.Fprintf(tw, "index build time (s):\t%.2f\n", r.build.Seconds())
	fmt.Fprintf(tw, "nearest shares the label (precision@1):\t%.4f\n", r.p1)
	fmt.Fprintf(tw, "precision@%d:\t%.4f\n", *k, r.pk)
	fmt.Fprintf(tw, "any of the first %d shares the label (hit@%d):\t%.4f\n", *k, *k, r.hit)
	fmt.Fprintf(tw, "mean reciprocal rank (first %d):\t%.4f\n", *k, r.mrr)
	fmt.Fprintf(tw, "score of an unrelated text p50 / p90 / p99:\t%.3f / %.3f / %.3f\n", r.un50, r.un90, r.un99)
	fmt.Fprintf(tw, "search latency p50 (ms):\t%.3f\n", r.p50.Seconds()*1e3)
	fmt.Fprintf(tw, "search latency p99 (ms):\t%.3f\n", r.p99.Seconds()*1e3)
	return tw.Flush()
}

type similarResult struct {
	build            time.Duration
	p1, pk, hit, mrr float64
	p50, p99         time.Duration
	un50, un90, un99 float64
}

// evaluateSimilar indexes docs under their row numbers and scores the
// first k neighbours of each query by label overlap.
func evaluateSimilar(docs, queries []Example, k int) similarResult {
	var r similarResult
	x := NewIndex()
	start := time.Now()
	for i, d := range docs {
		x.Add(strconv.Itoa(i), d.Text)
	}
	r.build = time.Since(start)
	lat := make([]time.Duration, 0, len(queries))
	for _, q := range queries {
		t0 := time.Now()
		ms := x.Similar(q.Text, k)
		lat = append(lat, time.Since(t0))
		same := 0
		for rank, m := range ms {
			i, _ := strconv.Atoi(m.ID)
			if !shareTag(docs[i].Tags, q.Tags) {
				continue
			}
			if same == 0 {
				r.mrr += 1 / float64(rank+1)
				r.hit++
				if rank == 0 {
					r.p1++
				}
			}
			same++
		}
		r.pk += float64(same) / float64(k)
	}
	// Scores of unrelated pairs (each query against docs with another
	// label, picked by a fixed stride) show where a cut-off must sit.
	var un []float64
	for qi, q := range queries {
		a := x.vector(q.Text)
		for s := 1; s <= 3; s++ {
			i := (qi*7919 + s*104729) % len(docs)
			if shareTag(docs[i].Tags, q.Tags) {
				continue
			}
			// Docs were added in order with no removals: row i is slot i.
			un = append(un, float64(pairScore(a, x.docs[i])))
		}
	}
	if len(un) > 0 {
		slices.Sort(un)
		r.un50, r.un90, r.un99 = un[len(un)/2], un[len(un)*9/10], un[len(un)*99/100]
	}
	n := float64(max(len(queries), 1))
	r.p1, r.pk, r.hit, r.mrr = r.p1/n, r.pk/n, r.hit/n, r.mrr/n
	if len(lat) > 0 {
		slices.Sort(lat)
		r.p50 = lat[len(lat)/2]
		r.p99 = lat[min(len(lat)-1, int(math.Ceil(0.99*float64(len(lat))))-1)]
	}
	return r
}

func shareTag(a, b []string) bool {
	for _, t := range a {
		if slices.Contains(b, t) {
			return true
		}
	}
	return false
}
