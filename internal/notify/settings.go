// Package notify sends what closeloop says to the outside world: email over SMTP and
// signed webhooks. Nothing is sent inline: callers enqueue into the database outbox
// (EnqueueEmail, Emit) and Worker delivers, retrying with backoff and logging every
// attempt, so a slow or broken SMTP server or receiver never blocks a page and a
// restart loses nothing.
package notify

import (
	"context"
	"errors"
	"net/mail"
	"strings"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/store"
)

// SettingsKey is the settings row that holds the SMTP configuration.
const SettingsKey = "smtp"

// TLSMode is how the SMTP connection is protected.
type TLSMode string

const (
	TLSNone     TLSMode = "none"     // plain text; only sensible for a relay on localhost
	TLSStartTLS TLSMode = "starttls" // plain connect, then STARTTLS (required, not opportunistic); usually port 587
	TLSImplicit TLSMode = "tls"      // TLS from the first byte; usually port 465
)

// SMTPSettings configure the outgoing mail server. The password is stored as given,
// in plain text in the settings table, because it must be presented to the server:
// protect the database and its backups, and prefer an app-specific SMTP credential.
type SMTPSettings struct {
	Host        string  `json:"host"`
	Port        int     `json:"port"`
	Username    string  `json:"username"`
	Password    string  `json:"password"`
	FromAddress string  `json:"from_address"`
	FromName    string  `json:"from_name"`
	TLS         TLSMode `json:"tls"`
}

// ErrNotConfigured is returned when email is sent before SMTP is set up.
var ErrNotConfigured = errors.New("SMTP is not configured: set it up under Settings → Email")

// Normalize trims and fills the port from the TLS mode.
func (s *SMTPSettings) Normalize() {
	s.Host = strings.TrimSpace(s.Host)
	s.Username = strings.TrimSpace(s.Username)
	s.FromAddress = strings.TrimSpace(s.FromAddress)
	s.FromName = strings.TrimSpace(s.FromName)
	s.TLS = TLSMode(strings.ToLower(strings.TrimSpace(string(s.TLS))))
	if s.TLS == "" {
		s.TLS = TLSStartTLS
	}
	if s.Port == 0 {
		switch s.TLS {
		case TLSImplicit:
			s.Port = 465
		case TLSStartTLS:
			s.Port = 587
		default:
			s.Port = 25
		}
	}
}

// Validate checks normalized settings.
func (s *SMTPSettings) Validate() error {
	if s.Host == "" || strings.ContainsAny(s.Host, " /:\r\n") {
		return errs.Invalid("host", "must be a host name such as smtp.example.com")
	}
	if s.Port < 1 || s.Port > 65535 {
		return errs.Invalid("port", "must be between 1 and 65535")
	}
	if s.TLS != TLSNone && s.TLS != TLSStartTLS && s.TLS != TLSImplicit {
		return errs.Invalidf("tls", "%q is not one of none, starttls, tls", s.TLS)
	}
	if a, err := mail.ParseAddress(s.FromAddress); err != nil || a.Address != s.FromAddress {
		return errs.Invalidf("from_address", "%q is not an email address", s.FromAddress)
	}
	if strings.ContainsAny(s.FromName+s.Username+s.Password, "\r\n") {
		return errs.Invalid("from_name", "must be one line")
	}
	return nil
}

// Configured reports whether there is enough to send.
func (s SMTPSettings) Configured() bool { return s.Host != "" && s.FromAddress != "" }

// LoadSMTP returns the stored settings (zero when never saved).
func LoadSMTP(ctx context.Context, st *store.Store) (SMTPSettings, error) {
	var s SMTPSettings
	_, err := st.GetSetting(ctx, SettingsKey, &s)
	return s, err
}

// SaveSMTP validates and stores settings. An empty password keeps the stored one, so
// the settings form never has to show it; clear the username to stop authenticating.
func SaveSMTP(ctx context.Context, st *store.Store, s SMTPSettings) (SMTPSettings, error) {
	s.Normalize()
	if err := s.Validate(); err != nil {
		return s, err
	}
	if s.Password == "" && s.Username != "" {
		old, err := LoadSMTP(ctx, st)
		if err != nil {
			return s, err
		}
		s.Password = old.Password
	}
	return s, st.PutSetting(ctx, SettingsKey, s)
}
