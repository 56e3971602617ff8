package integration

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"strconv"
	"strings"
	"time"
)

// The verifiers compare decoded MACs with hmac.Equal (constant time) and never the
// header strings, so upper/lower-case hex or base64 padding cannot matter and a
// partial match leaks nothing through timing.

var (
	errNoSignature  = errors.New("signature header missing")
	errBadSignature = errors.New("signature does not match")
	errNoTimestamp  = errors.New("timestamp header missing or unreadable")
	errStale        = errors.New("timestamp outside the 5-minute window")
)

// replayWindow is how far a signed timestamp may be from our clock, either way: the
// vendors' documented 5 minutes in the past, and as much in the future to allow for
// a skewed clock on either side without letting a captured request live longer.
const replayWindow = 5 * time.Minute

func mac(h func() hash.Hash, key string, parts ...[]byte) []byte {
	m := hmac.New(h, []byte(key))
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// verifyHex checks a hex MAC after an optional prefix ("sha1=", "v0=").
func verifyHex(header, prefix string, want []byte) error {
	if header == "" {
		return errNoSignature
	}
	got, ok := strings.CutPrefix(strings.TrimSpace(header), prefix)
	if !ok {
		return errBadSignature
	}
	b, err := hex.DecodeString(got)
	if err != nil || !hmac.Equal(b, want) {
		return errBadSignature
	}
	return nil
}

// verifyBase64 checks a base64 MAC (standard alphabet, as Zendesk and Help Scout send).
func verifyBase64(header string, want []byte) error {
	if header == "" {
		return errNoSignature
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(header))
	if err != nil || !hmac.Equal(b, want) {
		return errBadSignature
	}
	return nil
}

// sameSecret compares a presented shared secret in constant time. Hashing both first
// makes the comparison independent of the presented value's length too.
func sameSecret(got, want string) bool {
	if got == "" {
		return false
	}
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// within reports whether ts is inside the replay window around now.
func within(ts, now time.Time) bool {
	d := now.Sub(ts)
	return d <= replayWindow && d >= -replayWindow
}

// fresh refuses a signed request whose timestamp header ts (header, as the vendor names
// it) cannot be read by parse, or is outside the replay window of now (what: the
// vendor's request), so that a captured request cannot be replayed later.
func fresh(ts string, parse func(string) (time.Time, error), now time.Time, header, what string) error {
	at, err := parse(ts)
	if err != nil {
		return unauthorized("invalid "+header, err)
	}
	if !within(at, now) {
		return unauthorized("stale "+what, errStale)
	}
	return nil
}

// unixTimestamp reads a Unix-seconds header (Slack).
func unixTimestamp(s string) (time.Time, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, errNoTimestamp
	}
	return time.Unix(n, 0), nil
}

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

var (
	sha1New   = sha1.New
	sha256New = sha256.New
)
