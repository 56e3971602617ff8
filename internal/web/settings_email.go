package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/notify"
	"github.com/closeloop/closeloop/internal/router"
)

// smtpForm holds the SMTP settings as typed. The password is write-only: it is never
// put back into the page, and leaving it blank keeps the stored one.
type smtpForm struct {
	Host, Port, Username, FromAddress, FromName, TLS string
	HasPassword                                      bool
	Errors                                           map[string]string
}

type emailData struct {
	F          smtpForm
	Configured bool
	TestTo     string
	TestOK     string
	TestErr    string
	TLSModes   []struct{ Value, Label string }
}

var tlsModes = []struct{ Value, Label string }{
	{string(notify.TLSStartTLS), "STARTTLS (usually port 587)"},
	{string(notify.TLSImplicit), "TLS from the start (usually port 465)"},
	{string(notify.TLSNone), "None (only for a relay on this machine)"},
}

func smtpFormFrom(s notify.SMTPSettings) smtpForm {
	f := smtpForm{Host: s.Host, Username: s.Username, FromAddress: s.FromAddress, FromName: s.FromName, TLS: string(s.TLS), HasPassword: s.Password != ""}
	if s.Port != 0 {
		f.Port = strconv.Itoa(s.Port)
	}
	if f.TLS == "" {
		f.TLS = string(notify.TLSStartTLS)
	}
	return f
}

// renderEmail: GET /settings/email, the outgoing mail server.
func (ui *Web) renderEmail(w http.ResponseWriter, r *http.Request, status int, d emailData) error {
	s, err := notify.LoadSMTP(r.Context(), ui.Store)
	if err != nil {
		return err
	}
	if d.F.Errors == nil && d.F.Host == "" && d.F.FromAddress == "" {
		d.F = smtpFormFrom(s)
	}
	d.F.HasPassword = s.Password != ""
	d.Configured = s.Configured()
	if d.TestTo == "" {
		d.TestTo = router.From(r).Member.Email
	}
	d.TLSModes = tlsModes
	return ui.render(w, r, status, "settings_email", "Email settings", "settings", d)
}

// emailSave: POST /settings/email validates and stores the SMTP settings.
func (ui *Web) emailSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 16<<10); err != nil {
		return err
	}
	v := r.PostForm
	f := smtpForm{Host: strings.TrimSpace(v.Get("host")), Port: strings.TrimSpace(v.Get("port")), Username: strings.TrimSpace(v.Get("username")),
		FromAddress: strings.TrimSpace(v.Get("from_address")), FromName: strings.TrimSpace(v.Get("from_name")), TLS: v.Get("tls"), Errors: map[string]string{}}
	s := notify.SMTPSettings{Host: f.Host, Username: f.Username, Password: v.Get("password"), FromAddress: f.FromAddress, FromName: f.FromName, TLS: notify.TLSMode(f.TLS)}
	if f.Port != "" {
		n, err := strconv.Atoi(f.Port)
		if err != nil {
			f.Errors["port"] = "Enter a port number such as 587, or leave it blank for the usual one."
		}
		s.Port = n
	}
	if len(f.Errors) == 0 {
		_, err := notify.SaveSMTP(r.Context(), ui.Store, s)
		if err == nil {
			ui.Log.Info("smtp settings saved", "host", s.Host, "by", router.From(r).Member.ID)
		}
		if done, err := ui.saved(w, r, err, "Email settings saved. Send a test email to check them.", "/settings/email",
			func(se *errs.FieldError) { f.Errors[se.Field] = smtpFieldMsg(se) }); done {
			return err
		}
	}
	return ui.renderEmail(w, r, http.StatusUnprocessableEntity, emailData{F: f})
}

var smtpLabels = map[string]string{"host": "Host", "port": "Port", "tls": "Security", "from_address": "From address", "from_name": "From name", "to": "Address"}

func smtpFieldMsg(se *errs.FieldError) string {
	label := smtpLabels[se.Field]
	if label == "" {
		label = se.Field
	}
	return label + " " + se.Msg + "."
}

// emailTest: POST /settings/email/test sends a test message now with the saved
// settings and shows the mail server's answer.
func (ui *Web) emailTest(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r, 4<<10); err != nil {
		return err
	}
	d := emailData{TestTo: strings.TrimSpace(r.PostFormValue("to"))}
	s, err := notify.LoadSMTP(r.Context(), ui.Store)
	if err != nil {
		return err
	}
	if !s.Configured() {
		d.TestErr = "Save the mail server settings first."
		return ui.renderEmail(w, r, http.StatusUnprocessableEntity, d)
	}
	err = notify.TestSend(r.Context(), s, d.TestTo)
	var se *errs.FieldError
	switch {
	case err == nil:
		d.TestOK = "Test email sent to " + d.TestTo + ". Check that it arrived (and not in spam)."
		return ui.renderEmail(w, r, http.StatusOK, d)
	case errors.As(err, &se):
		d.TestErr = smtpFieldMsg(se)
	default:
		d.TestErr = "The mail server said: " + err.Error()
	}
	ui.Log.Info("smtp test failed", "err", err)
	return ui.renderEmail(w, r, http.StatusBadGateway, d)
}
