package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/closeloop/closeloop/internal/auth"
	"github.com/closeloop/closeloop/internal/store"
)

// SessionCookie is the name of the cookie that carries the session token.
const SessionCookie = "closeloop_session"

// SessionMember returns the signed-in member of r, or nil. Only the token's hash is
// stored, so a copy of the database cannot be replayed as sessions.
func (ui *Web) SessionMember(r *http.Request) (*auth.Member, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 200 {
		return nil, nil
	}
	m, err := ui.Store.SessionMember(r.Context(), auth.HashToken(c.Value))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}

type signInData struct {
	Email string
	Next  string
	Error string
}

func (ui *Web) signInPage(w http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.URL.Query().Get("next"))
	if m, _ := ui.SessionMember(r); m != nil {
		return seeOther(w, r, next)
	}
	return ui.render(w, r, http.StatusOK, "signin", "Sign in", "", signInData{Next: next})
}

func (ui *Web) signIn(w http.ResponseWriter, r *http.Request) error {
	if err := readSmallForm(w, r); err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	password := r.PostFormValue("password")
	d := signInData{Email: email, Next: safeNext(r.PostFormValue("next"))}

	if email == "" || password == "" {
		d.Error = "Enter your email and password."
		return ui.render(w, r, http.StatusBadRequest, "signin", "Sign in", "", d)
	}
	m, err := ui.Store.GetMemberByEmail(r.Context(), email)
	found := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	// The limits are checked before any password work, so a flood costs us nothing.
	if !ui.signin.allow(r, ui.Store, ui.Config.TrustedProxies, email, m.ID) {
		w.Header().Set("Retry-After", "60")
		d.Error = "Too many sign-in attempts. Please wait a minute, then try again."
		return ui.render(w, r, http.StatusTooManyRequests, "signin", "Sign in", "", d)
	}
	// Exactly one password check whoever asks: an unknown email is checked against a
	// dummy hash (m is empty), and a disabled member's password is checked before they
	// are refused, so response time reveals neither who is on the team nor who is
	// disabled.
	match := auth.CheckPassword(m.PasswordHash, password)
	if !found || m.Disabled || !match {
		d.Error = "That email and password don't match. Check both and try again."
		return ui.render(w, r, http.StatusUnauthorized, "signin", "Sign in", "", d)
	}

	tok := auth.NewSessionToken()
	if _, err := ui.Store.CreateSession(r.Context(), auth.HashToken(tok), m.ID, ui.Config.SessionTTL); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name:     SessionCookie,
		Value:    tok,
		Path:     "/",
		MaxAge:   int(ui.Config.SessionTTL.Seconds()),
		Expires:  ui.now().Add(ui.Config.SessionTTL),
		HttpOnly: true,
		Secure:   ui.Config.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	})
	if err := ui.signin.rememberDevice(w, r, ui.Store, m.ID, ui.Config.SecureCookies); err != nil {
		return err
	}
	ui.Log.Info("signed in", "member", m.ID)
	return seeOther(w, r, d.Next)
}

func (ui *Web) signOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		if err := ui.Store.DeleteSession(r.Context(), auth.HashToken(c.Value)); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: ui.Config.SecureCookies, SameSite: http.SameSiteLaxMode})
	ui.setFlash(w, "You are signed out.")
	return seeOther(w, r, "/signin")
}

// safeNext keeps the post-sign-in redirect on this site: only a local path is
// accepted. "//evil.example" and "/\evil.example" are protocol-relative to browsers,
// so they are refused too.
func safeNext(next string) string {
	const home = "/accounts"
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return home
	}
	if strings.ContainsAny(next, "\r\n\t") {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return home
	}
	if u.Path == "/signin" {
		return home
	}
	return next
}
