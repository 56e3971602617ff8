package pageset

import (
	"context"
	"net/http"

	"github.com/closeloop/closeloop/internal/auth"
)

// Allower is a rate limiter (auth.Limiter).
type Allower interface {
	AllowCtx(ctx context.Context, key string) bool
}

// Throttled reports whether a page reached by a signed link must refuse r because its
// client address (clientIP, behind trusted proxies; nil: the peer) is over limit
// (nil: no limit) for the page scope. When it is, Retry-After is set and the caller
// shows its own "too many requests" page with 429.
func Throttled(w http.ResponseWriter, r *http.Request, limit Allower, clientIP func(*http.Request) string, scope string) bool {
	if limit == nil {
		return false
	}
	ip := ""
	if clientIP != nil {
		ip = clientIP(r)
	} else {
		ip = auth.Proxies(nil).ClientIP(r) // no proxies trusted: the peer
	}
	if limit.AllowCtx(r.Context(), scope+":"+ip) {
		return false
	}
	w.Header().Set("Retry-After", "10")
	return true
}
