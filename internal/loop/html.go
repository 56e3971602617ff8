package loop

import (
	"html/template"
	"regexp"
	"strings"
)

// The HTML part is the rendered text body laid out as paragraphs: blank lines split
// paragraphs, lines starting with "> " form a quotation, and http(s) URLs become
// links. Every piece of text passes through html/template, so a quote holding
// <script> or "><img onerror=…> arrives as visible text, never as markup.
var htmlPage = template.Must(template.New("email").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; font-size: 15px; line-height: 1.5; color: #1f2328; max-width: 600px;">
{{- range .Blocks}}
{{if .Quote}}<blockquote style="margin: 0 0 1em; padding: 0.25em 1em; border-left: 3px solid #8c959f; color: #424a53;">{{else}}<p style="margin: 0 0 1em;">{{end -}}
{{range $i, $line := .Lines}}{{if $i}}<br>
{{end}}{{range $line}}{{if .Href}}<a href="{{.Href}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}{{end}}{{end -}}
{{if .Quote}}</blockquote>{{else}}</p>{{end}}
{{- end}}
</body></html>
`))

type segment struct{ Text, Href string }

type block struct {
	Quote bool
	Lines [][]segment
}

var urlRE = regexp.MustCompile(`https?://[^\s<>"']+[^\s<>"'.,;:!?)]`)

func segments(line string) []segment {
	var out []segment
	for line != "" {
		loc := urlRE.FindStringIndex(line)
		if loc == nil {
			out = append(out, segment{Text: line})
			break
		}
		if loc[0] > 0 {
			out = append(out, segment{Text: line[:loc[0]]})
		}
		u := line[loc[0]:loc[1]]
		out = append(out, segment{Text: u, Href: u})
		line = line[loc[1]:]
	}
	return out
}

// HTMLBody lays out a rendered text body as HTML.
func HTMLBody(subject, text string) (string, error) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var blocks []block
	var cur *block
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimRight(line, " \t")
		if strings.TrimSpace(trimmed) == "" {
			cur = nil
			continue
		}
		quote := strings.HasPrefix(trimmed, ">")
		if quote {
			trimmed = strings.TrimPrefix(strings.TrimPrefix(trimmed, ">"), " ")
		}
		if cur == nil || cur.Quote != quote {
			blocks = append(blocks, block{Quote: quote})
			cur = &blocks[len(blocks)-1]
		}
		cur.Lines = append(cur.Lines, segments(trimmed))
	}
	var b strings.Builder
	err := htmlPage.Execute(&b, struct {
		Subject string
		Blocks  []block
	}{subject, blocks})
	return b.String(), err
}
