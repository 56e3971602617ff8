package loop_test

import (
	"context"
	"strings"
	"testing"

	"github.com/closeloop/closeloop/internal/loop"
	"github.com/closeloop/closeloop/internal/store"
	"github.com/closeloop/closeloop/internal/store/storetest"
)

func TestTemplateValidation(t *testing.T) {
	if err := loop.DefaultTemplate.Validate(); err != nil {
		t.Fatalf("default template: %v", err)
	}
	for name, tm := range map[string]loop.Template{
		"unknown field":     {Subject: "{{.Title}}", Body: "{{.UnsubscribeURL}}"},
		"syntax":            {Subject: "x", Body: "{{if .Quote}} {{.UnsubscribeURL}}"},
		"no unsubscribe":    {Subject: "x", Body: "Hi {{.FirstName}}"},
		"empty subject":     {Subject: "  ", Body: "{{.UnsubscribeURL}}"},
		"blank after merge": {Subject: "{{if false}}x{{end}}", Body: "{{.UnsubscribeURL}}"},
	} {
		if err := tm.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	sub, body, err := loop.Template{Subject: "Hi\n{{.Name}}", Body: "{{.Name}} {{.UnsubscribeURL}}"}.Render(loop.Fields{Name: "Ann Lee", UnsubscribeURL: "u"})
	if err != nil || sub != "Hi Ann Lee" || body != "Ann Lee u" {
		t.Fatalf("render: %q %q %v", sub, body, err)
	}
}

func TestTemplateIsStoredPerTeam(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if tm, err := loop.LoadTemplate(ctx, s); err != nil || tm != loop.DefaultTemplate {
			t.Fatalf("default: %+v %v", tm, err)
		}
		mine := loop.Template{Subject: "Shipped: {{.RequestTitle}}", Body: "Hey {{.FirstName}}\r\n{{.UnsubscribeURL}}"}
		if err := loop.SaveTemplate(ctx, s, mine); err != nil {
			t.Fatal(err)
		}
		if tm, _ := loop.LoadTemplate(ctx, s); tm.Subject != mine.Subject || tm.Body != "Hey {{.FirstName}}\n{{.UnsubscribeURL}}" {
			t.Fatalf("stored: %+v", tm)
		}
		if err := loop.SaveTemplate(ctx, s, loop.Template{Subject: "x", Body: "{{.Nope}}"}); err == nil {
			t.Fatal("bad template saved")
		}
	})
}

func TestHTMLBodyEscapesAndLinksOnlyWebURLs(t *testing.T) {
	html, err := loop.HTMLBody(`<b>Subject</b>`, "Para one\nline two\n\n> quoted <i>x</i>\n\nsee https://ex.com/a?b=1&c=2. and javascript:alert(1)")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<title>&lt;b&gt;Subject&lt;/b&gt;</title>", "Para one<br>\nline two", "quoted &lt;i&gt;x&lt;/i&gt;</blockquote>",
		`<a href="https://ex.com/a?b=1&amp;c=2">https://ex.com/a?b=1&amp;c=2</a>.`, "and javascript:alert(1)</p>"} {
		if !strings.Contains(html, want) {
			t.Errorf("missing %q in\n%s", want, html)
		}
	}
	if strings.Contains(html, `href="javascript`) {
		t.Fatal("javascript: linked")
	}
}
