// Package router is the route table every HTTP route of closeloop is registered in,
// each with the access it needs: a team role for the web UI (session cookie), an API
// key scope for the JSON API (bearer key), or explicitly public. Because there is no
// other way to register a route, a test can walk the table and prove every route
// refuses callers below its level.
package router

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/auth"
)

// Handler serves a request and returns an error for the router to render.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Kind says how a route authenticates and renders errors.
type Kind int

const (
	Public Kind = iota // no authentication; rate limits are the handler's business
	Web                // session cookie; needs Role
	API                // bearer API key; needs Scope
)

// Route is one registered route.
type Route struct {
	Method, Path string // "GET", "/accounts/{id}"
	Kind         Kind
	Role         auth.Role  // Web routes
	Scope        auth.Scope // API routes
}

// Principal is who is calling.
type Principal struct {
	Member *auth.Member // web session
	Key    *auth.APIKey // API key
}

type ctxKey struct{}

// From returns the caller of r (zero Principal for public routes).
func From(r *http.Request) Principal {
	p, _ := r.Context().Value(ctxKey{}).(Principal)
	return p
}

// WithPrincipal is used by tests and by authentication.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// Authenticator finds the caller. Each returns (nil, nil) when there is no credential
// or it is not valid; errors are for failures of the lookup itself.
type Authenticator struct {
	Session func(r *http.Request) (*auth.Member, error)
	APIKey  func(r *http.Request) (*auth.APIKey, error)
}

// Renderer writes an error response for a route kind.
type Renderer func(w http.ResponseWriter, r *http.Request, e *Error)

// Router holds the mux and the table.
type Router struct {
	mux     *http.ServeMux
	routes  []Route
	auth    Authenticator
	webErr  Renderer
	apiErr  Renderer
	log     *slog.Logger
	reads   *readGate                                       // nil: reads are not bounded
	Observe func(route string, status int, d time.Duration) // metrics hook, may be nil
}

// New makes a router.
func New(a Authenticator, webErr, apiErr Renderer, log *slog.Logger) *Router {
	return &Router{mux: http.NewServeMux(), auth: a, webErr: webErr, apiErr: apiErr, log: log}
}

// Routes returns the table, for the route walk test and docs.
func (rt *Router) Routes() []Route { return append([]Route(nil), rt.routes...) }

// ServeHTTP dispatches.
func (rt *Router) ServeHTTP(w http.ResponseWriter, r *http.Request) { rt.mux.ServeHTTP(w, r) }

// Web registers a team UI route that needs at least role.
func (rt *Router) Web(pattern string, role auth.Role, h Handler) {
	rt.add(pattern, Route{Kind: Web, Role: role}, h)
}

// API registers a JSON API route that needs scope.
func (rt *Router) API(pattern string, scope auth.Scope, h Handler) {
	rt.add(pattern, Route{Kind: API, Scope: scope}, h)
}

// Public registers a route anyone may call. Use sparingly: sign-in, health, assets.
func (rt *Router) Public(pattern string, h Handler) {
	rt.add(pattern, Route{Kind: Public}, h)
}

// PublicHandler registers a plain http.Handler (static files, metrics) as public.
func (rt *Router) PublicHandler(pattern string, h http.Handler) {
	rt.add(pattern, Route{Kind: Public}, func(w http.ResponseWriter, r *http.Request) error {
		h.ServeHTTP(w, r)
		return nil
	})
}

// Fallback answers every request under prefix that no route matched with a 404,
// rendered the way routes of kind render errors. It serves no content, so it is not
// in the route table; note it also answers a known path with the wrong method (404,
// not 405).
func (rt *Router) Fallback(prefix string, kind Kind) {
	render := rt.webErr
	if kind == API {
		render = rt.apiErr
	}
	rt.mux.HandleFunc(prefix, func(w http.ResponseWriter, r *http.Request) {
		render(w, r, &Error{Status: http.StatusNotFound, Msg: "no such page: " + r.URL.Path})
	})
}

func (rt *Router) add(pattern string, route Route, h Handler) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		panic("router: pattern needs a method: " + pattern)
	}
	route.Method, route.Path = method, path
	if route.Kind == Web && !route.Role.Valid() || route.Kind == API && route.Scope == "" {
		panic("router: route without access level: " + pattern)
	}
	rt.routes = append(rt.routes, route)
	rt.mux.Handle(pattern, rt.wrap(pattern, route, h))
}

// statusWriter remembers the status for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (rt *Router) wrap(pattern string, route Route, h Handler) http.Handler {
	render := rt.webErr
	if route.Kind == API {
		render = rt.apiErr
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		var err error
		// A read waits for a slot before anything else, its authentication included,
		// so that the bound holds the CPU reads use; writes never wait here.
		if read := isRead(r, route.Kind); read && !rt.reads.enter(r.Context()) {
			err = errReadGone
		} else {
			if read {
				defer rt.reads.leave()
			}
			if err = rt.authorize(r, route); err == nil {
				err = rt.call(h, sw, r)
			}
		}
		if err != nil {
			e := Classify(err)
			switch {
			case e.Failure():
				rt.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
			case e.Err != nil || e.Status >= 500:
				rt.log.Debug("request refused", "method", r.Method, "path", r.URL.Path, "status", e.Status, "err", e.Err)
			}
			if sw.status == 0 {
				if e.RetryAfter > 0 {
					sw.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
				}
				render(sw, r, e)
			}
		}
		if rt.Observe != nil {
			rt.Observe(pattern, sw.status, time.Since(start))
		}
	})
}

// call runs h, turning a panic into an error so that the caller gets a logged 500
// instead of a dropped connection, and the server keeps serving.
// http.ErrAbortHandler is the one panic meant to abort the response; it goes on up.
func (rt *Router) call(h Handler, w http.ResponseWriter, r *http.Request) (err error) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		rt.log.Error("handler panicked", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		err = &Error{Status: http.StatusInternalServerError, Msg: "internal error", Err: fmt.Errorf("panic: %v", v)}
	}()
	return h(w, r)
}

// ErrSignIn is what Web routes return for anonymous callers; the web renderer turns
// it into a redirect to the sign-in page.
var ErrSignIn = &Error{Status: http.StatusUnauthorized, Msg: "sign in to continue"}

func (rt *Router) authorize(r *http.Request, route Route) error {
	switch route.Kind {
	case Web:
		m, err := rt.auth.Session(r)
		if err != nil {
			return err
		}
		if m == nil {
			return ErrSignIn
		}
		*r = *r.WithContext(WithPrincipal(r.Context(), Principal{Member: m}))
		if !m.Role.AtLeast(route.Role) {
			return Errorf(http.StatusForbidden, "this page needs the %s role; you are %s", route.Role, m.Role)
		}
	case API:
		k, err := rt.auth.APIKey(r)
		if err != nil {
			return err
		}
		if k == nil {
			return &Error{Status: http.StatusUnauthorized, Msg: "missing or invalid API key: send Authorization: Bearer <key>"}
		}
		*r = *r.WithContext(WithPrincipal(r.Context(), Principal{Key: k}))
		if !auth.Grants(k.Scopes, route.Scope) {
			return Errorf(http.StatusForbidden, "this API key lacks the %s scope", route.Scope)
		}
	}
	return nil
}
