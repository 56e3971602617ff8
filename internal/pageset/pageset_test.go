package pageset

import (
	"html/template"
	"strings"
	"testing"
	"testing/fstest"
)

func TestEachPageGetsItsOwnContent(t *testing.T) {
	fsys := fstest.MapFS{
		"templates/layout.html": {Data: []byte(`<main>{{template "content" .}}</main>{{template "foot"}}`)},
		"templates/_foot.html":  {Data: []byte(`{{define "foot"}}<footer>{{shout "hi"}}</footer>{{end}}`)},
		"templates/a.html":      {Data: []byte(`{{define "content"}}A {{.}}{{end}}`)},
		"templates/b.html":      {Data: []byte(`{{define "content"}}B {{.}}{{end}}`)},
	}
	sets := Parse(fsys, template.FuncMap{"shout": strings.ToUpper})
	if len(sets) != 2 {
		t.Fatalf("sets: %v", sets)
	}
	for name, want := range map[string]string{"a": "<main>A &lt;x&gt;</main><footer>HI</footer>", "b": "<main>B &lt;x&gt;</main><footer>HI</footer>"} {
		var b strings.Builder
		if err := sets[name].ExecuteTemplate(&b, "layout.html", "<x>"); err != nil {
			t.Fatal(err)
		}
		if b.String() != want {
			t.Errorf("%s: %q, want %q", name, b.String(), want)
		}
	}
}
