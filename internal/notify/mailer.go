package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"strconv"
	"time"
)

// Mailer sends one message per connection through the configured SMTP server, with
// net/smtp from the standard library. Close-the-loop volumes (tens to a few thousand
// messages per release) do not need connection reuse.
type Mailer struct {
	Settings SMTPSettings
	// TLSConfig overrides the TLS client configuration (a private CA); nil verifies
	// the server's certificate for Settings.Host against the system roots.
	TLSConfig *tls.Config
	// Timeout bounds one whole send; default 30s.
	Timeout time.Duration
	// Now stamps the Date header; default time.Now.
	Now func() time.Time
}

// Send delivers msg. A server refusal is returned as *textproto.Error (see Permanent).
func (m *Mailer) Send(ctx context.Context, msg Message) error {
	s := m.Settings
	if !s.Configured() {
		return ErrNotConfigured
	}
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	raw, err := msg.Bytes(mail.Address{Name: s.FromName, Address: s.FromAddress}, now())
	if err != nil {
		return err
	}
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cfg := m.TLSConfig
	if cfg == nil {
		cfg = &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	}
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	dialer := &net.Dialer{}
	var conn net.Conn
	if s.TLS == TLSImplicit {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: cfg}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("connect to %s: %w", addr, err)
	}
	// net/smtp has no contexts: a deadline on the connection bounds every step, and
	// cancelling ctx (shutdown) expires it at once.
	dl, _ := ctx.Deadline()
	conn.SetDeadline(dl)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("greeting from %s: %w", addr, err)
	}
	defer c.Close()
	if err := c.Hello(helloName()); err != nil {
		return err
	}
	if s.TLS == TLSStartTLS {
		// Required, not opportunistic: settings that say starttls must never fall
		// back to sending the password in clear.
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("the SMTP server does not offer STARTTLS; choose tls or none")
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if s.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("the SMTP server does not accept authentication; clear the username")
		}
		// PlainAuth refuses to send the password over an unencrypted connection to
		// anything but localhost: TLS mode none with a remote server fails here.
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return fmt.Errorf("authenticate: %w", err)
		}
	}
	if err := c.Mail(s.FromAddress); err != nil {
		return err
	}
	if err := c.Rcpt(msg.ToEmail); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// Permanent reports whether err is a 5xx SMTP reply (no such mailbox, rejected):
// retrying would fail the same way, so the message fails at once.
func Permanent(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500 && te.Code < 600
}

func helloName() string {
	if h, err := os.Hostname(); err == nil && h != "" {
		return h
	}
	return "localhost"
}
