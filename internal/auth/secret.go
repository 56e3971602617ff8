package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). The
// encoded hash carries them, so they can be raised later without breaking old hashes.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

var ErrBadPassword = errors.New("password must be at least 10 characters")

// HashPassword returns an encoded argon2id hash of pw.
func HashPassword(pw string) (string, error) {
	if len(pw) < 10 {
		return "", ErrBadPassword
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches the encoded hash, in constant time. It
// always derives one argon2id key: a hash it cannot read (an empty or foreign one)
// costs a check against the dummy hash and fails, so its timing reveals nothing either.
func CheckPassword(encoded, pw string) bool {
	salt, want, m, t, p, ok := parseHash(encoded)
	if !ok {
		salt, want, m, t, p, _ = parseHash(dummyHash)
	}
	passwordChecks.Add(1)
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1 && ok
}

func parseHash(encoded string) (salt, key []byte, m, t uint32, p uint8, ok bool) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return nil, nil, 0, 0, 0, false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return nil, nil, 0, 0, 0, false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) == 0 {
		return nil, nil, 0, 0, 0, false
	}
	return salt, key, m, t, p, true
}

// passwordChecks counts argon2id derivations, so tests can prove that every sign-in
// path does the same password work.
var passwordChecks atomic.Uint64

// PasswordChecks is how many password checks (CheckPassword, BurnPasswordCheck) this
// process has run.
func PasswordChecks() uint64 { return passwordChecks.Load() }

// dummyHash lets a sign-in for an unknown email cost as much as a real check, so
// response time does not reveal which emails have accounts.
var dummyHash, _ = HashPassword("not-a-real-password-ever")

// BurnPasswordCheck spends the time of one password check.
func BurnPasswordCheck(pw string) { CheckPassword(dummyHash, pw) }

// randomToken returns n random bytes, URL-safe base64.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("auth: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken hashes a high-entropy token (session or API key). Tokens carry 256 bits
// of randomness, so a fast hash is enough: nothing to brute-force.
func HashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// NewSessionToken returns a session token for the cookie; store only HashToken(tok).
func NewSessionToken() string { return randomToken(32) }

// NewAPIKey returns the key to show once, its public prefix, and the hash to store.
// Keys look like cl_<prefix>_<secret> so a leaked key is easy to recognise and grep for.
func NewAPIKey() (key, prefix, hash string) {
	prefix = strings.ToLower(randomToken(6))
	prefix = strings.NewReplacer("-", "x", "_", "y").Replace(prefix)
	key = "cl_" + prefix + "_" + randomToken(32)
	return key, prefix, HashToken(key)
}

// APIKeyPrefix extracts the prefix from a presented key, or "" when it is malformed.
func APIKeyPrefix(key string) string {
	if !strings.HasPrefix(key, "cl_") {
		return ""
	}
	rest := key[3:]
	i := strings.IndexByte(rest, '_')
	if i <= 0 {
		return ""
	}
	return rest[:i]
}

// NewPassword returns a random password for generated accounts (demo, user create).
func NewPassword() string { return randomToken(12) }

// SameHash compares two hex hashes in constant time.
func SameHash(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
