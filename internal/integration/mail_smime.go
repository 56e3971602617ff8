package integration

import "bytes"

// Opaque S/MIME signing (application/pkcs7-mime; smime-type=signed-data) wraps the
// whole MIME entity inside the CMS SignedData structure (RFC 5652), so a reader that
// does not open it sees no text at all. The signature is not verified: closeloop
// takes the words, as a mail client that cannot check the certificate still shows
// them. Encrypted S/MIME cannot be opened without the recipient's key.

// oidSignedData is 1.2.840.113549.1.7.2, DER-encoded.
var oidSignedData = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}

// signedDataContent returns the MIME entity inside a CMS SignedData, or nil. It
// reads BER, not just DER: mailers stream S/MIME with indefinite lengths and
// constructed (chunked) octet strings.
func signedDataContent(b []byte) []byte {
	ci, ok := berChildren(b, 0x30)
	if !ok || len(ci) < 2 || ci[0].tag != 0x06 || !bytes.Equal(ci[0].content, oidSignedData) || ci[1].tag != 0xa0 {
		return nil
	}
	sd, ok := berChildren(ci[1].content, 0x30)
	if !ok || len(sd) < 3 {
		return nil
	}
	// version, digestAlgorithms, encapContentInfo.
	encap, ok := berChildren(sd[2].raw, 0x30)
	if !ok || len(encap) < 2 || encap[1].tag != 0xa0 {
		return nil
	}
	inner, ok := berParseAll(encap[1].content, 0)
	if !ok || len(inner) != 1 {
		return nil
	}
	return octets(inner[0], 0)
}

type berElem struct {
	tag     byte
	content []byte // for a constructed element, its children's encodings
	raw     []byte // the whole element
}

// maxBERDepth bounds nesting so hostile input cannot recurse deeply.
const maxBERDepth = 32

// berNext reads one element from b.
func berNext(b []byte, depth int) (berElem, int, bool) {
	if depth > maxBERDepth || len(b) < 2 || b[0]&0x1f == 0x1f {
		return berElem{}, 0, false // multi-byte tags never occur in CMS
	}
	tag := b[0]
	n, hl := int(b[1]), 2
	switch {
	case n == 0x80: // indefinite: children up to an end-of-contents 00 00
		if tag&0x20 == 0 {
			return berElem{}, 0, false
		}
		pos := hl
		for {
			if pos+1 < len(b) && b[pos] == 0 && b[pos+1] == 0 {
				return berElem{tag: tag, content: b[hl:pos], raw: b[:pos+2]}, pos + 2, true
			}
			_, m, ok := berNext(b[pos:], depth+1)
			if !ok {
				return berElem{}, 0, false
			}
			pos += m
		}
	case n > 0x80:
		k := n & 0x7f
		if k > 4 || len(b) < 2+k {
			return berElem{}, 0, false
		}
		n = 0
		for _, c := range b[2 : 2+k] {
			n = n<<8 | int(c)
		}
		hl += k
	}
	if n < 0 || hl+n > len(b) {
		return berElem{}, 0, false
	}
	return berElem{tag: tag, content: b[hl : hl+n], raw: b[:hl+n]}, hl + n, true
}

// berParseAll reads consecutive elements filling b.
func berParseAll(b []byte, depth int) ([]berElem, bool) {
	var out []berElem
	for len(b) > 0 {
		e, n, ok := berNext(b, depth)
		if !ok {
			return nil, false
		}
		out = append(out, e)
		b = b[n:]
	}
	return out, true
}

// berChildren reads one element of the given tag from the start of b and returns its
// children.
func berChildren(b []byte, tag byte) ([]berElem, bool) {
	e, _, ok := berNext(b, 0)
	if !ok || e.tag != tag {
		return nil, false
	}
	return berParseAll(e.content, 1)
}

// octets is an OCTET STRING's value, joining the chunks of a constructed one.
func octets(e berElem, depth int) []byte {
	switch e.tag {
	case 0x04:
		return e.content
	case 0x24:
		parts, ok := berParseAll(e.content, depth+1)
		if !ok {
			return nil
		}
		var out []byte
		for _, p := range parts {
			out = append(out, octets(p, depth+1)...)
		}
		return out
	}
	return nil
}
