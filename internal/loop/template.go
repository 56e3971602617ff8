package loop

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"text/template"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/store"
)

// TemplateKey is the settings row holding the team's close-the-loop template.
const TemplateKey = "loop_template"

// Template is the team's close-the-loop email: Go text/template source for the
// subject and the plain-text body, executed with Fields. The HTML part is made from the
// rendered text (html.go), so there is one thing to edit and user text is escaped
// exactly once, by html/template.
type Template struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// Fields are what a template can use.
type Fields struct {
	FirstName      string // first word of the name, or "there"
	Name           string
	Quote          string // their most recent words about the request; "" for voters who never wrote
	Channel        string // where they said it: "Intercom", "a call with us", …
	Date           string // when they said it: "March 4, 2026"
	RequestTitle   string
	ReleaseNote    string
	UnsubscribeURL string
}

// DefaultTemplate is used until the team saves its own.
var DefaultTemplate = Template{
	Subject: `You asked, we built it: {{.RequestTitle}}`,
	Body: `Hi {{.FirstName}},

{{if .Quote}}On {{.Date}} you told us via {{.Channel}}:

> {{.Quote}}

{{else}}You voted for "{{.RequestTitle}}".

{{end}}We listened: {{.RequestTitle}} is now live.
{{if .ReleaseNote}}
{{.ReleaseNote}}
{{end}}
Thank you for telling us what you needed. It shaped what we built.

--
You received this because you asked us for this feature. To stop these updates:
{{.UnsubscribeURL}}
`,
}

// sample is what Validate renders a template with.
var sample = Fields{FirstName: "Ada", Name: "Ada Lovelace", Quote: "We need this.", Channel: "email", Date: "March 4, 2026",
	RequestTitle: "Dark mode", ReleaseNote: "Dark mode is in Settings → Appearance.", UnsubscribeURL: "https://example.invalid/unsubscribe/sample"}

func parse(name, src string) (*template.Template, error) {
	return template.New(name).Option("missingkey=error").Parse(src)
}

// Validate parses both parts and renders them with sample fields, so a typo such as
// {{.Frist}} is reported when the template is saved, not when 300 emails are prepared.
// The body must contain {{.UnsubscribeURL}}: bulk mail without an unsubscribe link is
// against the law in many places and against every mailbox provider's rules.
func (t Template) Validate() error {
	if strings.TrimSpace(t.Subject) == "" || len(t.Subject) > 500 {
		return errs.Invalid("subject", "is required and at most 500 characters")
	}
	if strings.TrimSpace(t.Body) == "" || len(t.Body) > 20000 {
		return errs.Invalid("body", "is required and at most 20000 characters")
	}
	subject, body, err := t.Render(sample)
	if err != nil {
		return err
	}
	if strings.TrimSpace(subject) == "" {
		return errs.Invalid("subject", "renders empty")
	}
	if !strings.Contains(body, sample.UnsubscribeURL) {
		return errs.Invalid("body", "must contain {{.UnsubscribeURL}}")
	}
	return nil
}

// Render executes the template. The subject is made one line.
func (t Template) Render(f Fields) (subject, body string, err error) {
	st, err := parse("subject", t.Subject)
	if err != nil {
		return "", "", errs.Invalid("subject", err.Error())
	}
	bt, err := parse("body", t.Body)
	if err != nil {
		return "", "", errs.Invalid("body", err.Error())
	}
	var sb, bb bytes.Buffer
	if err := st.Execute(&sb, f); err != nil {
		return "", "", errs.Invalid("subject", err.Error())
	}
	if err := bt.Execute(&bb, f); err != nil {
		return "", "", errs.Invalid("body", err.Error())
	}
	return strings.Join(strings.Fields(sb.String()), " "), bb.String(), nil
}

// LoadTemplate returns the team's template, or DefaultTemplate.
func LoadTemplate(ctx context.Context, st *store.Store) (Template, error) {
	t := DefaultTemplate
	ok, err := st.GetSetting(ctx, TemplateKey, &t)
	if err != nil || !ok {
		return DefaultTemplate, err
	}
	return t, nil
}

// SaveTemplate validates and stores the team's template. Drafts already prepared keep
// their text until Prepare is run again.
func SaveTemplate(ctx context.Context, st *store.Store, t Template) error {
	t.Body = strings.ReplaceAll(t.Body, "\r\n", "\n")
	if err := t.Validate(); err != nil {
		return err
	}
	return st.PutSetting(ctx, TemplateKey, t)
}

// ResetTemplate goes back to DefaultTemplate.
func ResetTemplate(ctx context.Context, st *store.Store) error {
	return st.PutSetting(ctx, TemplateKey, DefaultTemplate)
}

func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return "there"
}

// channelLabels say where someone told us, in words that fit "you told us via …".
var channelLabels = map[string]string{
	"api": "our team", "web": "our website", "csv": "our team", "email": "email", "call": "a call with us",
	"slack": "Slack", "intercom": "chat", "zendesk": "a support ticket", "helpscout": "a support email",
	"freshdesk": "a support ticket", "survey": "a survey", "social": "social media", "portal": "our feedback portal",
}

// ChannelLabel is how an email names a feedback source.
func ChannelLabel(source string) string {
	if l, ok := channelLabels[source]; ok {
		return l
	}
	return fmt.Sprint(source)
}
