package web

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var staticFS embed.FS

// staticHandler serves the embedded assets under /static/. Vendored files carry their
// version in the name, so they can be cached for a year; our own CSS and JS change
// with releases under the same name, so browsers revalidate them (embed.FS has no
// modification time, so http.FileServer cannot answer If-Modified-Since; an hour of
// freshness keeps page loads fast without stranding an old stylesheet for long).
func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// No directory listings: they reveal nothing useful and look broken.
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/static/vendor/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		files.ServeHTTP(w, r)
	})
}
