package cancel

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// The hosted page's link signs "this account (and this person) may answer the
// cancellation survey", the same HMAC scheme as the survey score links
// (internal/survey/token.go) with its own key and domain separation, and with the
// time it was made: the host product mints one at each cancel, so a link need not
// live long, and an old one found in a browser history is refused.

// SecretKey is the settings row holding the link signing secret (made at first use,
// see store.SigningKey). Changing it invalidates every link.
const SecretKey = "cancel_link_secret"

// LinkTTL is how long a minted link answers.
const LinkTTL = 30 * 24 * time.Hour

var b64 = base64.RawURLEncoding.Strict()

func mac(key []byte, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("closeloop cancellation link v1\n"))
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// Link is what a verified token names.
type Link struct {
	AccountID, PersonID string // PersonID may be ""
	Issued              time.Time
}

// Token signs l.
func Token(key []byte, l Link) string {
	payload := l.AccountID + "\n" + l.PersonID + "\n" + strconv.FormatInt(l.Issued.Unix(), 10)
	return b64.EncodeToString([]byte(payload)) + "." + b64.EncodeToString(mac(key, payload))
}

// ErrBadToken is any token not made by Token with this key; ErrExpiredToken one
// older than LinkTTL (or made in the future).
var (
	ErrBadToken     = errors.New("this cancellation link is not valid")
	ErrExpiredToken = errors.New("this cancellation link has expired")
)

// ParseToken verifies a token at now.
func ParseToken(key []byte, token string, now time.Time) (Link, error) {
	p, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 512 {
		return Link{}, ErrBadToken
	}
	payload, err1 := b64.DecodeString(p)
	got, err2 := b64.DecodeString(sig)
	if err1 != nil || err2 != nil || !hmac.Equal(got, mac(key, string(payload))) {
		return Link{}, ErrBadToken
	}
	parts := strings.Split(string(payload), "\n")
	if len(parts) != 3 || parts[0] == "" {
		return Link{}, ErrBadToken
	}
	sec, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return Link{}, ErrBadToken
	}
	l := Link{AccountID: parts[0], PersonID: parts[1], Issued: time.Unix(sec, 0).UTC()}
	if now.Sub(l.Issued) > LinkTTL || l.Issued.Sub(now) > time.Minute {
		return l, ErrExpiredToken
	}
	return l, nil
}

// TokenHash is what the store keeps of a link that was answered, so each link
// answers once without keeping a credential.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
