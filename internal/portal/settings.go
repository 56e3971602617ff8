package portal

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/store"
)

// Setting keys.
const (
	SettingsKey  = "portal"            // Settings: brand name, accent, intro
	SSOSecretKey = "portal_sso_secret" // string shared with the host product; unset disables SSO
	secretKey    = "portal_secret"     // cookie signing key, generated at first use, never shown
)

// Settings brand the portal. Blank fields take the defaults.
type Settings struct {
	Name      string `json:"name"`        // shown in the header and page titles
	Accent    string `json:"accent"`      // #rrggbb or #rgb
	Intro     string `json:"intro"`       // one paragraph on the ideas page
	SignInURL string `json:"sign_in_url"` // the host product's page that starts SSO; "" to only explain
}

// DefaultSettings are used for blank fields.
var DefaultSettings = Settings{
	Name:   "Product feedback",
	Accent: "#3b5bdb",
	Intro:  "Tell us what would make the product better, vote for the ideas you care about, and follow what we're building.",
}

var accentRE = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// Validate checks settings an admin entered; the errors name the field.
func (s Settings) Validate() error {
	if len(s.Name) > 80 {
		return errs.Invalid("name", "is longer than 80 characters")
	}
	if s.Accent != "" && !accentRE.MatchString(s.Accent) {
		return errs.Invalidf("accent", "%q is not a hex colour such as #3b5bdb", s.Accent)
	}
	if len(s.Intro) > 1000 {
		return errs.Invalid("intro", "is longer than 1000 characters")
	}
	if s.SignInURL != "" {
		u, err := url.Parse(s.SignInURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return errs.Invalid("sign_in_url", "must be an http(s) URL")
		}
	}
	return nil
}

// withDefaults fills blanks and drops an invalid stored accent (it ends up in CSS, so
// only a validated colour may reach the stylesheet).
func (s Settings) withDefaults() Settings {
	s.Name = strings.TrimSpace(s.Name)
	s.Intro = strings.TrimSpace(s.Intro)
	s.Accent = strings.TrimSpace(s.Accent)
	if s.Name == "" {
		s.Name = DefaultSettings.Name
	}
	if s.Intro == "" {
		s.Intro = DefaultSettings.Intro
	}
	if !accentRE.MatchString(s.Accent) {
		s.Accent = DefaultSettings.Accent
	}
	if s.Validate() != nil {
		s.SignInURL = ""
	}
	return s
}

// SaveSettings validates and stores the brand settings, for the integrator's admin page.
func SaveSettings(ctx context.Context, st *store.Store, s Settings) error {
	s.Name, s.Intro, s.Accent, s.SignInURL = strings.TrimSpace(s.Name), strings.TrimSpace(s.Intro), strings.TrimSpace(s.Accent), strings.TrimSpace(s.SignInURL)
	if err := s.Validate(); err != nil {
		return err
	}
	return st.PutSetting(ctx, SettingsKey, s)
}

// LoadSettings returns the stored settings with defaults filled in.
func LoadSettings(ctx context.Context, st *store.Store) (Settings, error) {
	var s Settings
	if _, err := st.GetSetting(ctx, SettingsKey, &s); err != nil {
		return DefaultSettings, err
	}
	return s.withDefaults(), nil
}

func (p *Portal) settings(ctx context.Context) (Settings, error) { return LoadSettings(ctx, p.Store) }

// theme serves the accent colour as CSS: the CSP allows no inline styles, and a
// stylesheet built only from a validated hex colour cannot inject anything.
func (p *Portal) theme(w http.ResponseWriter, r *http.Request) error {
	s, err := p.settings(r.Context())
	if err != nil {
		return err
	}
	accent := expandHex(s.Accent)
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_, err = fmt.Fprintf(w, ":root {\n  --accent: %s;\n  --accent-ink: %s;\n  --accent-text: %s;\n}\n", accent, inkOn(accent), readableOnWhite(accent))
	return err
}

func expandHex(h string) string {
	if len(h) == 4 {
		return strings.ToLower(string([]byte{'#', h[1], h[1], h[2], h[2], h[3], h[3]}))
	}
	return strings.ToLower(h)
}

func rgb(h string) (r, g, b float64) {
	v, _ := strconv.ParseUint(h[1:], 16, 32)
	return float64(v >> 16 & 255), float64(v >> 8 & 255), float64(v & 255)
}

// luminance is WCAG relative luminance.
func luminance(r, g, b float64) float64 {
	ch := func(c float64) float64 {
		c /= 255
		if c <= 0.03928 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(b)
}

func contrast(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	return (a + 0.05) / (b + 0.05)
}

// inkOn picks white or near-black text for buttons filled with the accent, whichever
// reads better, so any brand colour gives legible buttons.
func inkOn(h string) string {
	l := luminance(rgb(h))
	if contrast(1, l) >= contrast(l, luminance(17, 24, 39)) {
		return "#ffffff"
	}
	return "#111827"
}

// readableOnWhite darkens the accent until it reaches WCAG AA (4.5:1) on white, for
// links and text: a pale brand colour stays the button fill but not the link colour.
func readableOnWhite(h string) string {
	r, g, b := rgb(h)
	for i := 0; i < 40 && contrast(1, luminance(r, g, b)) < 4.5; i++ {
		r, g, b = r*0.9, g*0.9, b*0.9
	}
	return fmt.Sprintf("#%02x%02x%02x", int(r), int(g), int(b))
}
