package portal

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/mail"
	"reflect"
	"strings"
	"time"
)

// The SSO token is a JWT (RFC 7519) in compact JWS serialization, signed with
// HMAC-SHA256 (HS256) under the shared secret. Only what the portal needs is
// implemented, with the standard library: the header must say HS256 (never "none",
// never an asymmetric alg an attacker could confuse with the shared secret), and the
// time claims are checked strictly because a token in a URL is a bearer credential.

// Audience is the aud value a token may carry; other values are refused.
const Audience = "closeloop-portal"

// Token limits.
const (
	MaxTokenLifetime = 24 * time.Hour   // exp at most this far ahead of now
	clockSkew        = 60 * time.Second // allowed difference between the two clocks
	maxTokenLen      = 8 << 10
)

// Claims are the identity a token carries.
type Claims struct {
	Email             string `json:"email"`
	Name              string `json:"name,omitempty"`
	ExternalID        string `json:"external_id,omitempty"`         // the person's id in the host product
	AccountExternalID string `json:"account_external_id,omitempty"` // their company's id in the host product
	Company           string `json:"company,omitempty"`             // informational; accounts are never created from it
	Exp               int64  `json:"exp"`
	Iat               int64  `json:"iat"`
	Nbf               int64  `json:"nbf,omitempty"`
	Aud               string `json:"aud,omitempty"`
}

// TokenError says why a token was refused; Reason is safe to show (it describes only
// what the caller sent) and helps integrators debug.
type TokenError struct{ Reason string }

func (e *TokenError) Error() string { return "sso token refused: " + e.Reason }

func refuse(format string, args ...any) error {
	return &TokenError{Reason: fmt.Sprintf(format, args...)}
}

var b64 = base64.RawURLEncoding

// SignToken makes a token for c under secret. The portal only verifies tokens; this
// is for tests and for documenting the format.
func SignToken(c Claims, secret string) (string, error) {
	h, err := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	in := b64.EncodeToString(h) + "." + b64.EncodeToString(body)
	return in + "." + b64.EncodeToString(sign(secret, in)), nil
}

func sign(secret, input string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(input))
	return m.Sum(nil)
}

// VerifyToken checks a token's header, signature and claims at now and returns the
// claims. The signature is checked before the claims are even parsed, so nothing an
// unsigned token says is acted upon.
func VerifyToken(token, secret string, now time.Time) (Claims, error) {
	var c Claims
	if secret == "" {
		return c, refuse("single sign-on has no secret")
	}
	if token == "" {
		return c, refuse("the token is missing")
	}
	if len(token) > maxTokenLen {
		return c, refuse("the token is longer than %d bytes", maxTokenLen)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return c, refuse("the token is not three base64url parts separated by dots")
	}
	hb, err := b64.DecodeString(parts[0])
	if err != nil {
		return c, refuse("the header is not unpadded base64url")
	}
	var h struct {
		Alg  string          `json:"alg"`
		Crit json.RawMessage `json:"crit"`
	}
	if err := json.Unmarshal(hb, &h); err != nil {
		return c, refuse("the header is not a JSON object")
	}
	if h.Alg != "HS256" {
		return c, refuse("alg %q is not allowed; sign with HS256", h.Alg)
	}
	if h.Crit != nil {
		return c, refuse("the header has crit extensions, which are not supported")
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return c, refuse("the signature is not unpadded base64url")
	}
	if !hmac.Equal(sig, sign(secret, parts[0]+"."+parts[1])) {
		return c, refuse("the signature does not match: check the shared secret and that header.payload is signed exactly as sent")
	}

	pb, err := b64.DecodeString(parts[1])
	if err != nil {
		return c, refuse("the payload is not unpadded base64url")
	}
	var raw struct {
		Email             *string         `json:"email"`
		Name              string          `json:"name"`
		ExternalID        json.RawMessage `json:"external_id"`
		AccountExternalID json.RawMessage `json:"account_external_id"`
		Company           string          `json:"company"`
		Exp, Iat, Nbf     json.RawMessage
		Aud               json.RawMessage `json:"aud"`
	}
	d := json.NewDecoder(bytes.NewReader(pb))
	d.UseNumber()
	if err := d.Decode(&raw); err != nil {
		return c, claimsError(pb, err)
	}

	exp, err := numericDate("exp", raw.Exp, true)
	if err != nil {
		return c, err
	}
	iat, err := numericDate("iat", raw.Iat, true)
	if err != nil {
		return c, err
	}
	nbf, err := numericDate("nbf", raw.Nbf, false)
	if err != nil {
		return c, err
	}
	n := now.Unix()
	skew := int64(clockSkew.Seconds())
	switch {
	case exp <= n-skew:
		return c, refuse("the token expired at %s", time.Unix(exp, 0).UTC().Format(time.RFC3339))
	case exp > n+int64(MaxTokenLifetime.Seconds())+skew:
		return c, refuse("exp is more than %s ahead; make tokens short-lived (a few minutes)", MaxTokenLifetime)
	case iat > n+skew:
		return c, refuse("iat is in the future; check the clock of the signing server")
	case iat < n-int64(MaxTokenLifetime.Seconds())-skew:
		return c, refuse("the token was issued more than %s ago", MaxTokenLifetime)
	case nbf != 0 && nbf > n+skew:
		return c, refuse("the token is not valid before %s", time.Unix(nbf, 0).UTC().Format(time.RFC3339))
	}
	if raw.Aud != nil {
		if !audienceHas(raw.Aud, Audience) {
			return c, refuse("aud must be %q (or an array holding it) when present", Audience)
		}
		c.Aud = Audience
	}

	if raw.Email == nil || strings.TrimSpace(*raw.Email) == "" {
		return c, refuse("the email claim is required")
	}
	email := strings.ToLower(strings.TrimSpace(*raw.Email))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return c, refuse("the email claim %q is not an email address", email)
	}
	if c.ExternalID, err = idClaim("external_id", raw.ExternalID); err != nil {
		return c, err
	}
	if c.AccountExternalID, err = idClaim("account_external_id", raw.AccountExternalID); err != nil {
		return c, err
	}
	c.Email, c.Name, c.Company = email, strings.TrimSpace(raw.Name), strings.TrimSpace(raw.Company)
	c.Exp, c.Iat, c.Nbf = exp, iat, nbf
	return c, nil
}

// numericDate reads a NumericDate: a JSON number of seconds since the epoch,
// possibly fractional. A quoted number is refused (encoding/json would accept it
// into a json.Number): it signals a host encoding times the wrong way.
func numericDate(name string, raw json.RawMessage, required bool) (int64, error) {
	if raw == nil || string(raw) == "null" {
		if required {
			return 0, refuse("the %s claim is required (seconds since 1970-01-01 UTC)", name)
		}
		return 0, nil
	}
	var f float64
	err := json.Unmarshal(raw, &f)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || f < 0 || f > 1e11 {
		return 0, refuse("the %s claim is not a time in seconds since 1970-01-01 UTC", name)
	}
	return int64(f), nil
}

// idClaim accepts an id as a JSON string or an integer: host products often have
// numeric ids and would otherwise trip over JSON types.
func idClaim(name string, raw json.RawMessage) (string, error) {
	if raw == nil || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		s = strings.TrimSpace(s)
		if len(s) > 200 {
			return "", refuse("the %s claim is longer than 200 characters", name)
		}
		return s, nil
	}
	var n json.Number
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&n); err == nil {
		if _, err := n.Int64(); err == nil {
			return n.String(), nil
		}
	}
	return "", refuse("the %s claim must be a string", name)
}

func audienceHas(raw json.RawMessage, want string) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one == want
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		for _, a := range many {
			if a == want {
				return true
			}
		}
	}
	return false
}

// claimsError says what is wrong with claims that do not decode, in the token's own
// terms: encoding/json's text names Go types ("cannot unmarshal array into Go value
// of type struct { Email *string … }"), which tells a host developer nothing.
func claimsError(pb []byte, err error) error {
	pb = bytes.TrimSpace(pb)
	if len(pb) == 0 || pb[0] != '{' {
		kind := "not JSON"
		if len(pb) > 0 {
			switch pb[0] {
			case '[':
				kind = "an array"
			case '"':
				kind = "a string"
			case 'n':
				kind = "null"
			case 't', 'f':
				kind = "a boolean"
			default:
				if pb[0] == '-' || ('0' <= pb[0] && pb[0] <= '9') {
					kind = "a number"
				}
			}
		}
		return refuse("the claims must be a JSON object, not %s", kind)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return refuse("the %s claim must be a %s, not %s", te.Field, jsonType(te.Type.Kind()), te.Value)
	}
	return refuse("the claims are not valid JSON")
}

func jsonType(k reflect.Kind) string {
	switch k {
	case reflect.String, reflect.Pointer:
		return "string"
	case reflect.Slice:
		return "JSON value"
	}
	return k.String()
}
