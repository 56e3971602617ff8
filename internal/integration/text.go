package integration

import (
	"encoding/json"
	"html"
	"strings"
)

// htmlToText turns the HTML the help desks send (message bodies, email alternatives)
// into plain text: block elements become line breaks, script and style vanish,
// entities are decoded. It is deliberately a small scanner, not a parser: the input is
// short, mostly well-formed markup, and the output only has to read well.
func htmlToText(s string) string {
	var b strings.Builder
	lower := strings.ToLower(s)
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			b.WriteString(s[i : i+j])
			i += j
			continue
		}
		if strings.HasPrefix(s[i:], "<!--") {
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			break // an unclosed tag: drop the rest rather than show markup
		}
		tag := tagName(lower[i+1 : i+end])
		i += end + 1
		switch tag {
		case "script", "style", "head", "title":
			// Skip to the matching close tag.
			close := strings.Index(lower[i:], "</"+tag)
			if close < 0 {
				i = len(s)
				continue
			}
			i += close
			if gt := strings.IndexByte(s[i:], '>'); gt >= 0 {
				i += gt + 1
			} else {
				i = len(s)
			}
		case "br", "p", "/p", "div", "/div", "li", "tr", "/tr", "h1", "h2", "h3", "h4", "h5", "h6",
			"/h1", "/h2", "/h3", "/h4", "/h5", "/h6", "blockquote", "/blockquote", "ul", "/ul", "ol", "/ol",
			"table", "/table", "hr", "pre", "/pre":
			b.WriteByte('\n')
		case "td", "th":
			b.WriteByte(' ')
		}
	}
	return tidy(html.UnescapeString(b.String()))
}

// tagName is the element name of a tag's inside ("p class=x" → "p", "/div" → "/div",
// "br/" → "br").
func tagName(inner string) string {
	inner = strings.TrimSpace(inner)
	end := strings.IndexAny(inner, " \t\r\n/>")
	if strings.HasPrefix(inner, "/") {
		rest := inner[1:]
		e := strings.IndexAny(rest, " \t\r\n>")
		if e < 0 {
			return inner
		}
		return "/" + rest[:e]
	}
	if end < 0 {
		return inner
	}
	return inner[:end]
}

// tidy trims each line, squeezes runs of spaces and keeps at most one blank line
// between paragraphs.
func tidy(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\u00a0", " ")
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := 0
	for _, l := range lines {
		l = strings.Join(strings.Fields(l), " ")
		if l == "" {
			blank++
			if blank > 1 || len(out) == 0 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// looksHTML reports whether a body is markup rather than text (help desks send both).
func looksHTML(s string) bool {
	i := strings.IndexByte(s, '<')
	return i >= 0 && strings.IndexByte(s[i:], '>') > 0
}

// plain returns text for a body that may be HTML.
func plain(s string) string {
	if looksHTML(s) {
		return htmlToText(s)
	}
	return tidy(html.UnescapeString(s))
}

// withSubject makes the item text: the subject as a first line when it adds something.
func withSubject(subject, body string) string {
	subject = strings.TrimSpace(subject)
	if subject == "" || strings.HasPrefix(body, subject) {
		return body
	}
	if body == "" {
		return subject
	}
	return subject + "\n\n" + body
}

// flexString reads a JSON string or number (ids arrive as either, depending on the
// vendor and, for Zendesk and Freshdesk, on how the customer wrote the template).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if string(b) == "null" {
		*f = ""
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = flexString(n.String())
	return nil
}

func (f flexString) String() string { return strings.TrimSpace(string(f)) }

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
