// Package pageset parses server-rendered pages the way the team UI and the customer
// portal both lay them out: templates/layout.html and shared partials
// templates/_*.html, plus one file per page, each page parsed into its own set so that
// every page can define its own "content" block.
package pageset

import (
	"fmt"
	"html/template"
	"io/fs"
	"strings"
)

// Set holds one template set per page: the layout and partials plus that page, keyed
// by the page's file name without ".html".
type Set map[string]*template.Template

// Parse returns one template set per page file, keyed by its name without ".html".
// It panics on a broken template: pages are embedded, so that is a build defect that
// must stop the start, not a runtime condition.
func Parse(fsys fs.FS, funcs template.FuncMap) Set {
	base := template.Must(template.New("").Funcs(funcs).ParseFS(fsys, "templates/layout.html", "templates/_*.html"))
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		panic(err)
	}
	sets := Set{}
	for _, n := range names {
		file := strings.TrimPrefix(n, "templates/")
		if file == "layout.html" || strings.HasPrefix(file, "_") {
			continue
		}
		t := template.Must(base.Clone())
		template.Must(t.ParseFS(fsys, n))
		sets[strings.TrimSuffix(file, ".html")] = t
	}
	return sets
}

// ErrorPage is what both UIs' error pages show: the status, a heading, the error's
// safe message and a hint of what to do next.
type ErrorPage struct {
	Status  int
	Heading string
	Msg     string
	Hint    string
}

// Dict builds a map from key/value pairs, so a partial template can take named
// arguments: {{template "field" (dict "Name" "email" "Value" .Email)}}.
func Dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
