package web

import (
	"embed"
	"net/http"

	"github.com/closeloop/closeloop/internal/pageset"
)

//go:embed static
var staticFS embed.FS

// staticHandler serves the embedded assets under /static/.
func staticHandler() http.Handler { return pageset.Static(staticFS, "/static/") }
