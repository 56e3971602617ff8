package web

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/feedback"
	"github.com/closeloop/closeloop/internal/router"
	"github.com/closeloop/closeloop/internal/store"
)

// Helpers shared by the voice-of-the-customer pages (inbox, feedback, requests,
// roadmap, tags).

// asFieldError unwraps a validation error, so a form can show it next to its field
// instead of failing the request.
func asFieldError(err error) (field, msg string, ok bool) {
	var fe *errs.FieldError
	if errors.As(err, &fe) {
		return fe.Field, fe.Msg, true
	}
	return "", "", false
}

// kindOption is a feedback kind in a menu; Key is its number key in the inbox.
type kindOption struct {
	Key     int
	Value   string
	Label   string
	Current bool
}

func kindOptions(current feedback.Kind) []kindOption {
	out := make([]kindOption, 0, len(feedback.Kinds))
	for i, k := range feedback.Kinds {
		out = append(out, kindOption{Key: i + 1, Value: string(k), Label: k.Label(), Current: k == current})
	}
	return out
}

func sourceOptions() []option {
	out := make([]option, 0, len(feedback.Sources))
	for _, s := range feedback.Sources {
		out = append(out, option{string(s), string(s)})
	}
	return out
}

// parseForm bounds and parses a POSTed form.
func parseForm(w http.ResponseWriter, r *http.Request, limit int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		return router.Errorf(http.StatusRequestEntityTooLarge, "the form is too large")
	}
	return nil
}

// readSmallForm reads a POSTed form of a few fields (sign-in, team, API keys), up to
// 16 KB; what cannot be read is a bad request.
func readSmallForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return router.Errorf(http.StatusBadRequest, "the form could not be read")
	}
	return nil
}

// clip shortens s to n runes with an ellipsis, for titles made from quotes.
func clipRunes(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// getRequest names the missing thing, so the 404 page says "request not found".
func (ui *Web) getRequest(r *http.Request, id string) (feedback.Request, error) {
	req, err := ui.Store.GetRequest(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return req, router.NotFound("request")
	}
	return req, err
}

func (ui *Web) getFeedback(r *http.Request, id string) (feedback.Item, error) {
	it, err := ui.Store.GetFeedback(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return it, router.NotFound("feedback item")
	}
	return it, err
}

// resolveRequest turns a typed title into one unmerged request: an exact title
// (case-insensitive) or the only title containing the text; otherwise the
// candidates, for forms submitted without the type-ahead.
func resolveRequest(reqs []feedback.Request, text string) (*feedback.Request, []feedback.Request) {
	text = strings.ToLower(strings.TrimSpace(text))
	if text == "" {
		return nil, nil
	}
	var hits []feedback.Request
	for i, r := range reqs {
		t := strings.ToLower(r.Title)
		if t == text {
			return &reqs[i], nil
		}
		if strings.Contains(t, text) {
			hits = append(hits, r)
		}
	}
	if len(hits) == 1 {
		return &hits[0], nil
	}
	if len(hits) > 8 {
		hits = hits[:8]
	}
	return nil, hits
}

// undo is what the inbox remembers about the last triage action, so "u" can put the
// item back. It lives in a short-lived cookie: per browser, no table, and forging it
// only lets a member do what the member could do anyway.
type undo struct {
	Op     string `json:"op"` // tag, kind, archive, link
	Item   string `json:"item"`
	Status string `json:"status"` // status before the action
	Kind   string `json:"kind"`   // kind before the action
	Tag    string `json:"tag,omitempty"`
	Req    string `json:"req,omitempty"`
	After  string `json:"after,omitempty"`
	Label  string `json:"label"` // "Tagged Editor › Tables"
}

const undoCookie = "closeloop_undo"

func (ui *Web) setUndo(w http.ResponseWriter, u undo) {
	b, _ := json.Marshal(u)
	http.SetCookie(w, &http.Cookie{Name: undoCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: "/feedback",
		MaxAge: 900, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: ui.Config.SecureCookies})
}

func readUndo(r *http.Request) *undo {
	c, err := r.Cookie(undoCookie)
	if err != nil || len(c.Value) > 2000 {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return nil
	}
	var u undo
	if json.Unmarshal(b, &u) != nil || u.Item == "" {
		return nil
	}
	return &u
}

func (ui *Web) clearUndo(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: undoCookie, Value: "", Path: "/feedback", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: ui.Config.SecureCookies})
}

// inboxURL keeps the inbox position (items skipped past) across actions.
func inboxURL(after string) string {
	if after == "" {
		return "/feedback/inbox"
	}
	return "/feedback/inbox?after=" + url.QueryEscape(after)
}
