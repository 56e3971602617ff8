package portal

import (
	"embed"
	"net/http"

	"github.com/closeloop/closeloop/internal/pageset"
)

//go:embed static
var staticFS embed.FS

// staticHandler serves the portal's own assets under /portal/static/.
func staticHandler() http.Handler { return pageset.Static(staticFS, "/portal/static/") }
