package integration

import (
	"encoding/json"
	"html"
	"strings"
)

// htmlToText turns the HTML the help desks send (message bodies, email alternatives)
// into plain text: block elements become line breaks, script and style vanish,
// entities are decoded and a link keeps its address ("label (https://…)"). It is
// deliberately a small scanner, not a parser: the input is short, mostly well-formed
// markup, and the output only has to read well.
//
// A '<' opens a tag only where HTML says it does (followed by a letter, '/', '!' or
// '?'); anywhere else it is text, as a browser shows it, so "files <10MB work,
// anything >2MB" survives in an HTML body too.
func htmlToText(s string) string {
	var b strings.Builder
	lower := strings.ToLower(s)
	var href string // the open <a>'s address, written after its label
	linkStart := 0
	for i := 0; i < len(s); {
		if s[i] != '<' || !opensTag(s[i+1:]) {
			j := strings.IndexByte(s[i+1:], '<')
			if j < 0 {
				j = len(s) - i
			} else {
				j++
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
		inside := s[i+1 : i+end]
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
		case "a":
			href, linkStart = attr(inside, "href"), b.Len()
		case "/a":
			label := html.UnescapeString(b.String()[linkStart:])
			if u := html.UnescapeString(href); isWebLink(u) && !strings.Contains(label, u) && !strings.Contains(u, strings.TrimSpace(label)) {
				b.WriteString(" (" + u + ")")
			} else if strings.TrimSpace(label) == "" && isWebLink(u) {
				b.WriteString(u)
			}
			href = ""
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

// opensTag reports whether the text after a '<' starts a tag, comment or
// declaration (HTML's tag-open state), rather than being a literal '<'.
func opensTag(rest string) bool {
	if rest == "" {
		return false
	}
	c := rest[0]
	if c == '/' {
		return len(rest) > 1 && isASCIILetter(rest[1])
	}
	return isASCIILetter(c) || c == '!' || c == '?'
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// isWebLink keeps javascript: and other schemes out of the text.
func isWebLink(u string) bool {
	l := strings.ToLower(u)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "mailto:")
}

// attr is the value of a tag's attribute (name="v", name='v' or name=v), or "".
func attr(inside, name string) string {
	l := strings.ToLower(inside)
	for off := 0; ; {
		i := strings.Index(l[off:], name)
		if i < 0 {
			return ""
		}
		i += off
		off = i + len(name)
		if i > 0 && l[i-1] != ' ' && l[i-1] != '\t' && l[i-1] != '\n' {
			continue
		}
		rest := strings.TrimLeft(inside[off:], " \t\n")
		if !strings.HasPrefix(rest, "=") {
			continue
		}
		rest = strings.TrimLeft(rest[1:], " \t\n")
		if rest == "" {
			return ""
		}
		if q := rest[0]; q == '"' || q == '\'' {
			if j := strings.IndexByte(rest[1:], q); j >= 0 {
				return rest[1 : 1+j]
			}
			return rest[1:]
		}
		if j := strings.IndexAny(rest, " \t\n"); j >= 0 {
			return rest[:j]
		}
		return rest
	}
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

// plainText is a body the vendor declares to be plain text: only whitespace is tidied.
// Nothing is unescaped or stripped, since every character is the customer's.
func plainText(s string) string { return tidy(s) }

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
