package portal

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// MinSSOSecretLen is the shortest shared secret accepted: HS256 needs at least 256
// bits of key to be as strong as its hash.
const MinSSOSecretLen = 32

// GenerateSSOSecret returns a fresh shared secret (256 random bits, base64url) for an
// admin to store with SaveSSOSecret and copy into the host product.
func GenerateSSOSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("portal: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// SaveSSOSecret stores the shared secret; "" disables single sign-on. The secret is
// used as-is (its UTF-8 bytes are the HMAC key), so hosts can paste it verbatim.
func SaveSSOSecret(ctx context.Context, st *store.Store, secret string) error {
	secret = strings.TrimSpace(secret)
	if secret != "" && len(secret) < MinSSOSecretLen {
		return fmt.Errorf("portal: the SSO secret must be at least %d characters; use GenerateSSOSecret", MinSSOSecretLen)
	}
	return st.PutSetting(ctx, SSOSecretKey, secret)
}

// LoadSSOSecret returns the shared secret, "" when SSO is disabled.
func LoadSSOSecret(ctx context.Context, st *store.Store) (string, error) {
	var s string
	_, err := st.GetSetting(ctx, SSOSecretKey, &s)
	return s, err
}

// sso signs a customer in from the host product: GET /portal/sso?token=…&return=….
func (p *Portal) sso(w http.ResponseWriter, r *http.Request) error {
	// The URL holds a bearer token: keep it out of caches and Referer headers.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if !p.ssoIP.AllowCtx(r.Context(), p.clientIP(r)) {
		return tooMany
	}
	secret, err := LoadSSOSecret(r.Context(), p.Store)
	if err != nil {
		return err
	}
	// A deliberate 503 with no cause: the router does not log it as an error, so
	// anyone's hits while SSO is off do not fill the log (issue 13, defect 11).
	if len(secret) < MinSSOSecretLen {
		return &router.Error{Status: http.StatusServiceUnavailable,
			Msg: "Single sign-on isn't set up for this portal yet, so we can't sign you in. An administrator needs to set the portal SSO secret in closeloop's settings."}
	}
	claims, err := VerifyToken(r.URL.Query().Get("token"), secret, p.Now())
	var te *TokenError
	if errors.As(err, &te) {
		p.Log.Info("portal sso refused", "reason", te.Reason, "ip", p.clientIP(r))
		return &router.Error{Status: http.StatusUnauthorized, Msg: "This sign-in link isn't valid (" + te.Reason + ").", Err: err}
	}
	if err != nil {
		return err
	}
	person, created, err := p.Store.ResolvePerson(r.Context(), claims.Email, claims.Name, claims.ExternalID, claims.AccountExternalID)
	if err != nil {
		return err
	}
	if err := p.setIdentity(r.Context(), w, person.ID); err != nil {
		return err
	}
	p.Log.Info("portal sign-in", "person", person.ID, "created", created)
	return seeOther(w, r, safeReturn(r.URL.Query().Get("return")))
}

// signOut forgets the portal identity (the cookie is all there is).
func (p *Portal) signOut(w http.ResponseWriter, r *http.Request) error {
	if !p.postIP.AllowCtx(r.Context(), p.clientIP(r)) {
		return tooMany
	}
	p.clearIdentity(w)
	return seeOther(w, r, "/portal")
}

type signInData struct {
	Return    string
	SignInURL string // the host product's sign-in, with return= appended; "" when not configured
}

// signInPage explains how to get a portal identity: there is no password here, the
// customer signs in through the product they use.
func (p *Portal) signInPage(w http.ResponseWriter, r *http.Request) error {
	me, err := p.viewer(r)
	if err != nil {
		return err
	}
	ret := safeReturn(r.URL.Query().Get("return"))
	brand, err := p.settings(r.Context())
	if err != nil {
		return err
	}
	d := signInData{Return: ret}
	if brand.SignInURL != "" {
		d.SignInURL = withQuery(brand.SignInURL, "return", ret)
	}
	return p.render(w, r, http.StatusOK, "signin", "Sign in to vote", "", me, d)
}
