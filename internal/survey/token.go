package survey

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// SecretKey is the settings row holding the score-link signing secret (made at first
// use, see store.SigningKey). Changing it invalidates every link already sent.
const SecretKey = "survey_link_secret"

// Strict: one token has exactly one spelling.
var b64 = base64.RawURLEncoding.Strict()

func mac(key []byte, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("closeloop survey score v1\n")) // domain separation from other uses of a key
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// Token signs "the recipient of this send gives this score". It does not expire: a
// survey may be answered from an email read weeks later; a final response makes its
// links read-only instead.
func Token(key []byte, sendID string, score int) string {
	payload := sendID + "\n" + strconv.Itoa(score)
	return b64.EncodeToString([]byte(payload)) + "." + b64.EncodeToString(mac(key, payload))
}

// ErrBadToken is any token that was not made by Token with this key.
var ErrBadToken = errors.New("this survey link is not valid")

// ParseToken verifies a token and returns the send and score it names.
func ParseToken(key []byte, token string) (sendID string, score int, err error) {
	p, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 512 {
		return "", 0, ErrBadToken
	}
	payload, err1 := b64.DecodeString(p)
	got, err2 := b64.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(got, mac(key, string(payload))) {
		return "", 0, ErrBadToken
	}
	sendID, s, ok := strings.Cut(string(payload), "\n")
	n, err := strconv.Atoi(s)
	if !ok || sendID == "" || err != nil {
		return "", 0, ErrBadToken
	}
	return sendID, n, nil
}
