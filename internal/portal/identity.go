package portal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/account"
	"github.com/closeloop/closeloop/internal/store"
)

// CookieName is the portal identity cookie. It is separate from the team session
// cookie: a customer never gains anything in the team UI from it.
const CookieName = "closeloop_portal"

// CookieTTL is how long a portal sign-in lasts.
const CookieTTL = 30 * 24 * time.Hour

// The cookie is "v1.<base64url(person id)>.<expiry unix>.<base64url(HMAC)>": nothing
// is stored server-side. Rotating portal_secret signs every customer out.

// signingKey returns the cookie key, generating and storing it on first use.
func (p *Portal) signingKey(ctx context.Context) ([]byte, error) {
	p.secretMu.Lock()
	defer p.secretMu.Unlock()
	if p.secret != nil {
		return p.secret, nil
	}
	var s string
	ok, err := p.Store.GetSetting(ctx, secretKey, &s)
	if err != nil {
		return nil, err
	}
	if !ok || len(s) < 32 {
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		// If another instance stored one first, use theirs: all must sign alike.
		if _, err := p.Store.PutSettingIfAbsent(ctx, secretKey, base64.RawURLEncoding.EncodeToString(b)); err != nil {
			return nil, err
		}
		if _, err := p.Store.GetSetting(ctx, secretKey, &s); err != nil {
			return nil, err
		}
		if len(s) < 32 {
			return nil, errors.New("portal: stored portal_secret is too short; delete it to have a new one generated")
		}
	}
	p.secret = []byte(s)
	return p.secret, nil
}

func cookieMAC(key []byte, payload string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("closeloop portal cookie\x00" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (p *Portal) secureCookies() bool {
	return p.Config.SecureCookies || strings.HasPrefix(p.Config.BaseURL, "https://")
}

// setIdentity signs personID into the portal cookie.
func (p *Portal) setIdentity(ctx context.Context, w http.ResponseWriter, personID string) error {
	key, err := p.signingKey(ctx)
	if err != nil {
		return err
	}
	exp := p.Now().Add(CookieTTL)
	payload := "v1." + base64.RawURLEncoding.EncodeToString([]byte(personID)) + "." + strconv.FormatInt(exp.Unix(), 10)
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    payload + "." + cookieMAC(key, payload),
		Path:     "/portal",
		MaxAge:   int(CookieTTL.Seconds()),
		Expires:  exp,
		HttpOnly: true,
		Secure:   p.secureCookies(),
		SameSite: http.SameSiteLaxMode,
	})
	return nil
}

func (p *Portal) clearIdentity(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/portal", MaxAge: -1,
		HttpOnly: true, Secure: p.secureCookies(), SameSite: http.SameSiteLaxMode})
}

// personID returns the person the cookie of r names, or "" when there is no valid one.
func (p *Portal) personID(r *http.Request) (string, error) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" || len(c.Value) > 300 {
		return "", nil
	}
	i := strings.LastIndexByte(c.Value, '.')
	if i < 0 {
		return "", nil
	}
	payload, mac := c.Value[:i], c.Value[i+1:]
	key, err := p.signingKey(r.Context())
	if err != nil {
		return "", err
	}
	if !hmac.Equal([]byte(mac), []byte(cookieMAC(key, payload))) {
		return "", nil
	}
	parts := strings.Split(payload, ".")
	if len(parts) != 3 || parts[0] != "v1" {
		return "", nil
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || p.Now().Unix() >= exp {
		return "", nil
	}
	id, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", nil
	}
	return string(id), nil
}

// viewer returns the signed-in customer, or nil. A person deleted by the team since
// signing in is simply anonymous again.
func (p *Portal) viewer(r *http.Request) (*account.Person, error) {
	id, err := p.personID(r)
	if err != nil || id == "" {
		return nil, err
	}
	person, err := p.Store.GetPerson(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &person, nil
}

// viewerID is viewer with the person's id as well ("" when nobody is signed in), for
// the pages that mark what the viewer voted for.
func (p *Portal) viewerID(r *http.Request) (me *account.Person, personID string, err error) {
	me, err = p.viewer(r)
	if me != nil {
		personID = me.ID
	}
	return me, personID, err
}

// safeReturn keeps post-sign-in and post-vote redirects inside the portal: only a
// local path under /portal is accepted ("//evil.example" and "/\evil.example" are
// protocol-relative to browsers, so they are refused).
func safeReturn(to string) string {
	const home = "/portal"
	if to == "" || strings.HasPrefix(to, "//") || strings.HasPrefix(to, "/\\") || strings.ContainsAny(to, "\r\n\t\\") || len(to) > 2000 {
		return home
	}
	u, err := url.Parse(to)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return home
	}
	// "/portal/../accounts" would leave the portal once the browser resolves it.
	if u.Path != "/portal" && !strings.HasPrefix(u.Path, "/portal/") || path.Clean(u.Path) != strings.TrimSuffix(u.Path, "/") {
		return home
	}
	// The SSO link itself would loop, and carries a token that must not linger in history.
	if u.Path == "/portal/sso" || strings.HasPrefix(u.Path, "/portal/static/") {
		return home
	}
	return u.RequestURI()
}

// clientIP is the client's address: the peer, or behind a listed reverse proxy
// (CLOSELOOP_TRUSTED_PROXIES) the hop the proxy saw; a header from anyone else is
// ignored, or it would hand every request a fresh rate-limit bucket.
func (p *Portal) clientIP(r *http.Request) string { return p.Config.TrustedProxies.ClientIP(r) }
