package suggest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

// Persistence format (little-endian), versioned so that a model written by
// an older release is rejected cleanly rather than misread:
//
//	"CLSG" uint32(version)
//	uint32(crc32 of the embedded word-vector table, 0 if unused)
//	feature options, calibration (kind, A, B), multi-label threshold
//	tags (uint32 count, then uint32 length + bytes each) and per-tag counts
//	vocabulary: uint32 count, then per feature uint64 key, byte kind, float32 idf
//	weights (version 3): int8 × nFeatures × nTags (feature-major), then
//	float32 × nFeatures scale and float32 × nFeatures offset (see qmatrix);
//	(versions 1–2: float32 × nFeatures × nTags, quantised when read)
//	float32 × nTags bias
//	(version ≥ 2) uint32 n, float32 × n: margins added for a text with no
//	word vector (n is nTags, or 0 without a dense block)
//	(version ≥ 4) uint32 h: the network expert's hidden units (0: none);
//	then uint32 rows, int8 × rows × h, float32 × rows scale and offset
//	(its first layer, a qmatrix over the sparse features), float32 × h
//	hidden biases, float32 × nTags × h output weights, float32 × nTags
//	output biases
//
// A model is only valid with the word-vector table it was trained with;
// the checksum guards against loading it into a build with another table.
const persistVersion = 4

var wordvecCRC = crc32.ChecksumIEEE(wordvecData)

// MarshalBinary encodes the model (encoding.BinaryMarshaler).
func (m *Model) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// UnmarshalBinary decodes a model written by MarshalBinary or WriteTo.
func (m *Model) UnmarshalBinary(data []byte) error {
	_, err := m.ReadFrom(bytes.NewReader(data))
	return err
}

type binWriter struct {
	w   *bufio.Writer
	n   int64
	err error
}

func (w *binWriter) put(v any) {
	if w.err == nil {
		w.err = binary.Write(w.w, binary.LittleEndian, v)
		w.n += int64(binary.Size(v))
	}
}

func (w *binWriter) str(s string) {
	w.put(uint32(len(s)))
	if w.err == nil {
		var k int
		k, w.err = w.w.WriteString(s)
		w.n += int64(k)
	}
}

// WriteTo streams the model to w (io.WriterTo).
func (m *Model) WriteTo(out io.Writer) (int64, error) {
	w := &binWriter{w: bufio.NewWriterSize(out, 1<<16)}
	w.w.WriteString("CLSG")
	w.n += 4
	w.put(uint32(persistVersion))
	crc := uint32(0)
	if m.feat.dim > 0 {
		crc = wordvecCRC
	}
	w.put(crc)
	o := m.feat.opt
	w.put([]int32{int32(o.WordNgrams), int32(o.CharMin), int32(o.CharMax), int32(o.MinDF), int32(o.VecPool)})
	w.put([]float32{o.WordWeight, o.CharWeight, o.VecWeight})
	sig := 0.0
	if m.cal.Sigmoid {
		sig = 1
	}
	w.put([]float64{sig, m.cal.A, m.cal.B, m.tau})
	w.put(uint32(len(m.tags)))
	for _, t := range m.tags {
		w.str(t)
	}
	w.put(m.nEx)
	keys := make([]uint64, len(m.feat.idf))
	for k, i := range m.feat.vocab {
		keys[i] = k
	}
	w.put(uint32(len(keys)))
	w.put(keys)
	w.put(m.feat.kind)
	w.put(m.feat.idf)
	w.qmatrix(m.wq)
	w.put(m.bias)
	w.put(uint32(len(m.novec)))
	w.put(m.novec)
	if n := m.net; n == nil {
		w.put(uint32(0))
	} else {
		w.put(uint32(len(n.b1)))
		w.put(uint32(n.w1.rows()))
		w.qmatrix(n.w1)
		w.put(n.b1)
		w.put(n.w2)
		w.put(n.b2)
	}
	if w.err == nil {
		w.err = w.w.Flush()
	}
	return w.n, w.err
}

// qmatrix writes q's codes, then its per-row steps and offsets.
func (w *binWriter) qmatrix(q qmatrix) {
	w.put(q.q)
	w.put(q.scale)
	w.put(q.off)
}

type binReader struct {
	r   *bufio.Reader
	n   int64
	err error
}

func (r *binReader) get(v any) {
	if r.err == nil {
		r.err = binary.Read(r.r, binary.LittleEndian, v)
		r.n += int64(binary.Size(v))
	}
}

// count reads a length and rejects absurd values before allocating.
func (r *binReader) count(limit uint32) int {
	var n uint32
	r.get(&n)
	if r.err == nil && n > limit {
		r.err = fmt.Errorf("suggest: corrupt model (count %d)", n)
	}
	return int(n)
}

func (r *binReader) str() string {
	n := r.count(1 << 16)
	if r.err != nil {
		return ""
	}
	b := make([]byte, n)
	_, r.err = io.ReadFull(r.r, b)
	r.n += int64(n)
	return string(b)
}

// qmatrix reads a rows × cols matrix written by binWriter.qmatrix.
func (r *binReader) qmatrix(rows, cols int) qmatrix {
	q := qmatrix{nTags: cols, q: make([]int8, rows*cols), scale: make([]float32, rows), off: make([]float32, rows)}
	r.get(q.q)
	r.get(q.scale)
	r.get(q.off)
	return q
}

// ReadFrom replaces m with a model read from in (io.ReaderFrom).
func (m *Model) ReadFrom(in io.Reader) (int64, error) {
	r := &binReader{r: bufio.NewReaderSize(in, 1<<16)}
	magic := make([]byte, 4)
	if _, err := io.ReadFull(r.r, magic); err != nil || string(magic) != "CLSG" {
		return 0, errors.New("suggest: not a suggest model")
	}
	r.n = 4
	var version, crc uint32
	r.get(&version)
	if r.err == nil && (version < 1 || version > persistVersion) {
		return r.n, fmt.Errorf("suggest: model format version %d, this build reads 1 to %d; retrain", version, persistVersion)
	}
	r.get(&crc)
	if r.err == nil && crc != 0 && crc != wordvecCRC {
		return r.n, errors.New("suggest: model was trained with a different word-vector table; retrain")
	}
	ints := make([]int32, 5)
	floats := make([]float32, 3)
	cal := make([]float64, 4)
	r.get(ints)
	r.get(floats)
	r.get(cal)
	o := FeatureOptions{WordNgrams: int(ints[0]), CharMin: int(ints[1]), CharMax: int(ints[2]),
		MinDF: int(ints[3]), VecPool: int(ints[4]),
		WordWeight: floats[0], CharWeight: floats[1], VecWeight: floats[2]}
	nt := r.count(1 << 20)
	if r.err != nil {
		return r.n, r.err
	}
	tags := make([]string, nt)
	for i := range tags {
		tags[i] = r.str()
	}
	nEx := make([]int32, nt)
	r.get(nEx)
	nf := r.count(1 << 26)
	if r.err != nil {
		return r.n, r.err
	}
	f := &featurizer{opt: o, vocab: make(map[uint64]int32, nf),
		kind: make([]byte, nf), idf: make([]float32, nf)}
	keys := make([]uint64, nf)
	r.get(keys)
	r.get(f.kind)
	r.get(f.idf)
	if r.err != nil {
		return r.n, r.err
	}
	for i, k := range keys {
		f.vocab[k] = int32(i)
	}
	if o.VecWeight > 0 {
		if crc == 0 {
			return r.n, errors.New("suggest: corrupt model (word vectors)")
		}
		wv, err := loadedWordVectors()
		if err != nil {
			return r.n, err
		}
		f.wv, f.dim = wv, wv.dim*vecParts(o.VecPool)
	}
	total := uint64(f.nFeatures()) * uint64(nt)
	if total > 1<<32 {
		return r.n, errors.New("suggest: corrupt model (too large)")
	}
	var wq qmatrix
	if version >= 3 {
		wq = r.qmatrix(f.nFeatures(), nt)
	} else {
		w := make([]float32, total)
		r.get(w)
		wq = quantize(w, nt)
	}
	bias := make([]float32, nt)
	r.get(bias)
	var novec []float32 // version 1: none (scored as before)
	if version >= 2 {
		if n := r.count(uint32(nt)); n > 0 {
			novec = make([]float32, n)
			r.get(novec)
		}
	}
	var net *mlp
	if version >= 4 {
		if h := r.count(1 << 12); h > 0 {
			rows := r.count(uint32(len(f.idf)))
			if r.err != nil {
				return r.n, r.err
			}
			net = &mlp{w1: r.qmatrix(rows, h), b1: make([]float32, h), w2: make([]float32, nt*h), b2: make([]float32, nt)}
			r.get(net.b1)
			r.get(net.w2)
			r.get(net.b2)
		}
	}
	if r.err != nil {
		return r.n, fmt.Errorf("suggest: reading model: %w", r.err)
	}
	c := calibration{Sigmoid: cal[0] == 1, A: cal[1], B: cal[2]}
	if math.IsNaN(c.A) || math.IsNaN(c.B) || (!c.Sigmoid && c.A <= 0) {
		return r.n, errors.New("suggest: corrupt model (calibration)")
	}
	if len(novec) != 0 && (len(novec) != nt || f.dim == 0) {
		return r.n, errors.New("suggest: corrupt model (no-vector margins)")
	}
	*m = Model{tags: tags, feat: f, wq: wq, bias: bias, novec: novec, net: net, cal: c, tau: cal[3], nEx: nEx, format: version}
	return r.n, nil
}
