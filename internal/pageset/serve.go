package pageset

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
)

// Static serves the embedded folder "static" of fsys under prefix (e.g. "/static/").
// Files under prefix+"vendor/" carry their version in the name, so they are cached
// for a year; our own CSS and JS change with releases under the same name, so
// browsers keep them an hour and then revalidate (embed.FS has no modification time,
// so http.FileServer cannot answer If-Modified-Since). No directory listings: they
// reveal nothing useful and look broken.
func Static(fsys fs.FS, prefix string) http.Handler {
	sub, err := fs.Sub(fsys, "static")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix(prefix, http.FileServerFS(sub))
	vendor := prefix + "vendor/"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, vendor) {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		files.ServeHTTP(w, r)
	})
}

// Write renders t's "layout" with v into a buffer first, so a template error becomes
// a clean 500 instead of half a page, then sends it with status. Pages show data for
// one signed-in person: never let a shared cache keep them.
func Write(w http.ResponseWriter, status int, t *template.Template, page string, v any) error {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteTokenPage renders a public page reached by a signed link (a survey answer, a
// cancellation): the token is in the URL, so the page sends no Referer onward, and
// like every page it is never kept by a shared cache. t is executed whole, buffered,
// so a template error is a clean 500 rather than half a page.
func WriteTokenPage(w http.ResponseWriter, status int, t *template.Template, v any) error {
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return fmt.Errorf("render %s: %w", t.Name(), err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}
