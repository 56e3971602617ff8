package survey

import (
	"html/template"
	"strconv"
	"strings"
)

// Link is one score link of the email.
type Link struct {
	Score int
	URL   string
}

// EmailFields are what one survey email says.
type EmailFields struct {
	Kind           Kind
	Question       string
	FirstName      string
	Links          []Link // one per score, lowest first
	UnsubscribeURL string
}

// The HTML part: the question and a row of score links. Every piece of text passes
// through html/template, so a question or a name holding markup arrives as text.
var emailHTML = template.Must(template.New("survey").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Question}}</title></head>
<body style="font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; font-size: 15px; line-height: 1.5; color: #1f2328; max-width: 600px;">
<p style="margin: 0 0 1em;">{{if .FirstName}}Hi {{.FirstName}},{{else}}Hi,{{end}}</p>
<p style="margin: 0 0 1em; font-weight: 600;">{{.Question}}</p>
<table role="presentation" cellspacing="0" cellpadding="0" style="border-collapse: collapse; margin: 0 0 0.5em;"><tr>
{{- range .Links}}<td style="padding: 2px;"><a href="{{.URL}}" style="display: inline-block; min-width: 28px; padding: 6px 4px; text-align: center; border: 1px solid #8c959f; border-radius: 4px; color: #1f2328; text-decoration: none;">{{.Score}}</a></td>{{end -}}
</tr></table>
<p style="margin: 0 0 1.5em; color: #57606a; font-size: 13px;">{{.Lo}} … {{.Hi}}. Click a number to answer; you can add a comment on the next page.</p>
{{if .UnsubscribeURL}}<p style="margin: 0; color: #57606a; font-size: 12px;"><a href="{{.UnsubscribeURL}}" style="color: #57606a;">Unsubscribe</a></p>{{end}}
</body></html>
`))

// Email renders the subject, text and HTML bodies of a survey email.
func Email(f EmailFields) (subject, text, html string, err error) {
	lo, hi := f.Kind.Ends()
	subject = oneLine(f.Question)
	var t strings.Builder
	if f.FirstName != "" {
		t.WriteString("Hi " + oneLine(f.FirstName) + ",\n\n")
	} else {
		t.WriteString("Hi,\n\n")
	}
	t.WriteString(oneLine(f.Question) + "\n\nClick a number to answer; you can add a comment on the next page.\n\n")
	for i, l := range f.Links {
		label := strconv.Itoa(l.Score)
		if i == 0 {
			label += " (" + lo + ")"
		} else if i == len(f.Links)-1 {
			label += " (" + hi + ")"
		}
		t.WriteString(label + ": " + l.URL + "\n")
	}
	if f.UnsubscribeURL != "" {
		t.WriteString("\nUnsubscribe: " + f.UnsubscribeURL + "\n")
	}
	var h strings.Builder
	err = emailHTML.Execute(&h, struct {
		EmailFields
		Lo, Hi string
	}{f, lo, hi})
	return subject, t.String(), h.String(), err
}

// FirstName is the first word of a name, for the greeting.
func FirstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return ""
}
