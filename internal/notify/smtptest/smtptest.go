// Package smtptest runs a real SMTP server (github.com/emersion/go-smtp) on
// 127.0.0.1 with an in-memory mailbox, for tests that must prove mail actually went
// over the wire. It is imported by tests only.
package smtptest

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/closeloop/closeloop/internal/notify"
)

// Message is one message the server accepted.
type Message struct {
	From string
	To   []string
	Data []byte
}

// Server is a running test SMTP server requiring PLAIN authentication.
type Server struct {
	Addr               string
	Username, Password string
	// Delay is how long the server takes to accept each message after its data has
	// arrived: a slow relay, for shutdown tests. Set it before the first send.
	Delay time.Duration

	srv      *smtp.Server
	mu       sync.Mutex
	msgs     []Message
	failRcpt int
	failCode int
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: l.Addr().String(), Username: "mailer", Password: "p@ss word\"with'quotes"}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true // plain text on loopback; net/smtp allows PLAIN to localhost
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	go s.srv.Serve(l)
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// Settings are notify settings pointing at the server.
func (s *Server) Settings() notify.SMTPSettings {
	host, port, _ := net.SplitHostPort(s.Addr)
	var p int
	for _, c := range port {
		p = p*10 + int(c-'0')
	}
	return notify.SMTPSettings{Host: host, Port: p, Username: s.Username, Password: s.Password,
		FromAddress: "success@closeloop.test", FromName: "Closeloop Team", TLS: notify.TLSNone}
}

// FailRcpt makes the next n RCPT commands fail with code (451: try later; 550: no such user).
func (s *Server) FailRcpt(n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRcpt, s.failCode = n, code
}

// Messages returns what was accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{srv: s}, nil }

type session struct {
	srv  *Server
	auth bool
	msg  Message
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.srv.Username || pass != ss.srv.Password {
			return errors.New("invalid credentials")
		}
		ss.auth = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if !ss.auth {
		return smtp.ErrAuthRequired
	}
	ss.msg = Message{From: from}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.srv.mu.Lock()
	defer ss.srv.mu.Unlock()
	if ss.srv.failRcpt > 0 {
		ss.srv.failRcpt--
		return &smtp.SMTPError{Code: ss.srv.failCode, EnhancedCode: smtp.EnhancedCode{ss.srv.failCode / 100, 0, 0}, Message: "mailbox temporarily unavailable (test)"}
	}
	ss.msg.To = append(ss.msg.To, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.msg.Data = b
	time.Sleep(ss.srv.Delay)
	ss.srv.mu.Lock()
	ss.srv.msgs = append(ss.srv.msgs, ss.msg)
	ss.srv.mu.Unlock()
	return nil
}

func (ss *session) Reset()        { ss.msg = Message{} }
func (ss *session) Logout() error { return nil }

// Parsed is a message split into its headers and decoded parts.
type Parsed struct {
	Header mail.Header
	Text   string
	HTML   string
}

// Parse decodes a message the way a mail client would: headers, then each part of a
// multipart/alternative body with its transfer encoding undone.
func Parse(data []byte) (Parsed, error) {
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return Parsed{}, err
	}
	p := Parsed{Header: m.Header}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		return p, err
	}
	decode := func(enc string, r io.Reader) (string, error) {
		if strings.EqualFold(enc, "quoted-printable") {
			r = quotedprintable.NewReader(r)
		}
		b, err := io.ReadAll(r)
		return string(b), err
	}
	if !strings.HasPrefix(mt, "multipart/") {
		p.Text, err = decode(m.Header.Get("Content-Transfer-Encoding"), m.Body)
		return p, err
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			return p, nil
		}
		if err != nil {
			return p, err
		}
		body, err := decode(part.Header.Get("Content-Transfer-Encoding"), part)
		if err != nil {
			return p, err
		}
		switch ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); ct {
		case "text/plain":
			p.Text = body
		case "text/html":
			p.HTML = body
		}
	}
}
