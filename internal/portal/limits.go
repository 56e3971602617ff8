package portal

import (
	"time"

	"github.com/closeloop/closeloop/internal/auth"
)

// limiter keeps its buckets in the database, so instances on one database share
// the limit rather than each granting the full budget (issue 13).
func limiter(d Deps, name string, burst int, per time.Duration) *auth.Limiter {
	if d.Store == nil {
		return auth.NewLimiter(burst, per)
	}
	return auth.NewSharedLimiter(name, burst, per, d.Store, d.Log)
}
