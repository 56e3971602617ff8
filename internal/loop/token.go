package loop

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/closeloop/closeloop/internal/store"
)

// SecretKey is the settings row holding the unsubscribe-link signing secret, made at
// first use so a fresh install needs no configuration. Changing it invalidates every
// unsubscribe link already sent; don't.
const SecretKey = "loop_unsubscribe_secret"

// secret returns the signing key (store.SigningKey makes it once).
func secret(ctx context.Context, st *store.Store) ([]byte, error) {
	return st.SigningKey(ctx, SecretKey)
}

// Strict: the spare bits of the last character must be zero, so one token has exactly
// one spelling (no variants that decode to the same bytes).
var b64 = base64.RawURLEncoding.Strict()

func mac(key []byte, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("closeloop unsubscribe v1\n")) // domain separation from any other use of the key
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// Token signs "this person at this address may unsubscribe". It does not expire:
// an unsubscribe link must work in an email read a year later.
func Token(key []byte, personID, email string) string {
	payload := personID + "\n" + strings.ToLower(email)
	return b64.EncodeToString([]byte(payload)) + "." + b64.EncodeToString(mac(key, payload))
}

// ErrBadToken is any token that was not made by Token with this key.
var ErrBadToken = errors.New("this unsubscribe link is not valid")

// ParseToken verifies a token and returns who it names.
func ParseToken(key []byte, token string) (personID, email string, err error) {
	p, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 1024 {
		return "", "", ErrBadToken
	}
	payload, err1 := b64.DecodeString(p)
	got, err2 := b64.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(got, mac(key, string(payload))) {
		return "", "", ErrBadToken
	}
	personID, email, ok = strings.Cut(string(payload), "\n")
	if !ok || email == "" {
		return "", "", ErrBadToken
	}
	return personID, email, nil
}
