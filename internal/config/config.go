// Package config turns environment variables and flags into typed settings. Every
// setting has a default that works on a laptop; a bad value fails at start with an
// error naming the setting.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/closeloop/closeloop/internal/auth"
)

// Config is the whole of closeloop's configuration.
type Config struct {
	Addr        string // CLOSELOOP_ADDR
	DataDir     string // CLOSELOOP_DATA_DIR
	DatabaseURL string // DATABASE_URL; empty means SQLite in DataDir
	BaseURL     string // CLOSELOOP_BASE_URL: public URL used in links and emails
	LogFormat   string // CLOSELOOP_LOG_FORMAT: text or json
	LogLevel    string // CLOSELOOP_LOG_LEVEL: debug, info, warn, error
	AutoMigrate bool   // CLOSELOOP_AUTO_MIGRATE: apply migrations at serve
	// SecureCookies marks session cookies Secure. Defaults to true when BaseURL is
	// https, so a plain-http laptop install can still sign in.
	SecureCookies bool // CLOSELOOP_SECURE_COOKIES
	SessionTTL    time.Duration
	Tiers         []string // CLOSELOOP_TIERS: comma-separated, most important first
	// Channels are the shared secrets of the inbound channels; an empty one turns its
	// webhook off (it answers 404), so nothing is ever accepted unsigned.
	Channels Channels
	// TrustedProxies (CLOSELOOP_TRUSTED_PROXIES: comma-separated addresses and CIDR
	// prefixes) are the reverse proxies whose X-Forwarded-For / Forwarded headers name
	// the client; empty believes no header, so the peer address is the client.
	TrustedProxies auth.Proxies
	// MaxReads (CLOSELOOP_MAX_READS) bounds the team UI and API reads (GET, HEAD) that
	// run at once in this instance; the rest wait their turn, while writes never wait,
	// so a busy server's CPU goes to the reads it can finish and writes keep their
	// latency. 0 turns the bound off. Default: DefaultMaxReads.
	MaxReads int
}

// DefaultMaxReads is four reads per core the process may use: enough to keep the
// cores busy while some reads wait on the database, few enough that a write does not
// queue behind hundreds of them for CPU (BENCHMARKS.md, "Writes under load").
func DefaultMaxReads() int { return 4 * runtime.GOMAXPROCS(0) }

// Channels holds one secret per inbound channel.
type Channels struct {
	Intercom  string // CLOSELOOP_INTERCOM_SECRET: the app's client secret (X-Hub-Signature)
	Zendesk   string // CLOSELOOP_ZENDESK_SECRET: the webhook's signing secret
	HelpScout string // CLOSELOOP_HELPSCOUT_SECRET: the webhook's secret key
	Freshdesk string // CLOSELOOP_FRESHDESK_SECRET: sent by Freshdesk in X-Closeloop-Secret
	Slack     string // CLOSELOOP_SLACK_SECRET: the app's signing secret
	Email     string // CLOSELOOP_EMAIL_SECRET: the inbound-mail relay's token
	// Stripe (CLOSELOOP_STRIPE_SECRET) is the Stripe webhook endpoint's signing secret
	// (whsec_…); while rotating, the old and the new one, comma-separated.
	Stripe []string
	// SlackBotToken (CLOSELOOP_SLACK_BOT_TOKEN, optional) is the Slack app's bot token
	// (xoxb-…, scopes users:read and users:read.email): inbound Slack messages get
	// their author's email from users.info. Empty: the Slack user id only.
	SlackBotToken string
}

// Env is the lookup function for environment variables (os.LookupEnv in production).
type Env func(string) (string, bool)

// Default returns the configuration with no env vars and no flags.
func Default() Config {
	return Config{
		Addr:        "127.0.0.1:8080",
		DataDir:     "closeloop-data",
		LogFormat:   "text",
		LogLevel:    "info",
		AutoMigrate: true,
		SessionTTL:  14 * 24 * time.Hour,
		Tiers:       []string{"strategic", "important", "standard"},
		MaxReads:    DefaultMaxReads(),
	}
}

// Error names the setting at fault.
type Error struct {
	Setting string
	Msg     string
}

func (e *Error) Error() string { return fmt.Sprintf("config: %s: %s", e.Setting, e.Msg) }

// Register binds the common flags to c; flag values override the environment because
// Load applies the environment first and flag parsing happens afterwards.
func (c *Config) Register(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (CLOSELOOP_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data directory (CLOSELOOP_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "postgres://… for PostgreSQL; empty for SQLite in the data dir (DATABASE_URL)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public base URL (CLOSELOOP_BASE_URL)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "text or json (CLOSELOOP_LOG_FORMAT)")
}

// FromEnv returns the defaults overridden by the environment.
func FromEnv(env Env) (Config, error) {
	c := Default()
	str := func(name string, dst *string) {
		if v, ok := env(name); ok && v != "" {
			*dst = v
		}
	}
	str("CLOSELOOP_ADDR", &c.Addr)
	str("CLOSELOOP_DATA_DIR", &c.DataDir)
	str("DATABASE_URL", &c.DatabaseURL)
	str("CLOSELOOP_BASE_URL", &c.BaseURL)
	str("CLOSELOOP_LOG_FORMAT", &c.LogFormat)
	str("CLOSELOOP_LOG_LEVEL", &c.LogLevel)
	if v, ok := env("CLOSELOOP_AUTO_MIGRATE"); ok && v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, &Error{"CLOSELOOP_AUTO_MIGRATE", fmt.Sprintf("%q is not true or false", v)}
		}
		c.AutoMigrate = b
	}
	if v, ok := env("CLOSELOOP_SESSION_TTL"); ok && v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			return c, &Error{"CLOSELOOP_SESSION_TTL", fmt.Sprintf("%q is not a duration of at least 1m (e.g. 336h)", v)}
		}
		c.SessionTTL = d
	}
	if v, ok := env("CLOSELOOP_TIERS"); ok && v != "" {
		c.Tiers = nil
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(strings.ToLower(t)); t != "" {
				c.Tiers = append(c.Tiers, t)
			}
		}
	}
	str("CLOSELOOP_INTERCOM_SECRET", &c.Channels.Intercom)
	str("CLOSELOOP_ZENDESK_SECRET", &c.Channels.Zendesk)
	str("CLOSELOOP_HELPSCOUT_SECRET", &c.Channels.HelpScout)
	str("CLOSELOOP_FRESHDESK_SECRET", &c.Channels.Freshdesk)
	str("CLOSELOOP_SLACK_SECRET", &c.Channels.Slack)
	str("CLOSELOOP_EMAIL_SECRET", &c.Channels.Email)
	if v, ok := env("CLOSELOOP_STRIPE_SECRET"); ok {
		for _, sec := range strings.Split(v, ",") {
			if sec = strings.TrimSpace(sec); sec != "" {
				c.Channels.Stripe = append(c.Channels.Stripe, sec)
			}
		}
		if len(c.Channels.Stripe) > 2 {
			return c, &Error{"CLOSELOOP_STRIPE_SECRET", "give at most two secrets (the old and the new one while rotating), comma-separated"}
		}
	}
	str("CLOSELOOP_SLACK_BOT_TOKEN", &c.Channels.SlackBotToken)
	if v, ok := env("CLOSELOOP_TRUSTED_PROXIES"); ok && v != "" {
		ps, err := auth.ParseProxies(v)
		if err != nil {
			return c, &Error{"CLOSELOOP_TRUSTED_PROXIES", fmt.Sprintf("%q is not a comma-separated list of IP addresses and CIDR prefixes (e.g. 10.0.0.0/8, ::1): %v", v, err)}
		}
		c.TrustedProxies = ps
	}
	if v, ok := env("CLOSELOOP_MAX_READS"); ok && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100_000 {
			return c, &Error{"CLOSELOOP_MAX_READS", fmt.Sprintf("%q is not a whole number from 0 (no bound) to 100000", v)}
		}
		c.MaxReads = n
	}
	c.SecureCookies = strings.HasPrefix(c.BaseURL, "https://")
	if v, ok := env("CLOSELOOP_SECURE_COOKIES"); ok && v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, &Error{"CLOSELOOP_SECURE_COOKIES", fmt.Sprintf("%q is not true or false", v)}
		}
		c.SecureCookies = b
	}
	return c, nil
}

// Load reads the process environment.
func Load() (Config, error) { return FromEnv(os.LookupEnv) }

// Validate checks every setting and fills derived defaults (BaseURL from Addr).
func (c *Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return &Error{"CLOSELOOP_ADDR", fmt.Sprintf("%q is not host:port (e.g. 127.0.0.1:8080)", c.Addr)}
	}
	if c.DataDir == "" {
		return &Error{"CLOSELOOP_DATA_DIR", "must not be empty"}
	}
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql" && u.Scheme != "sqlite" && u.Scheme != "file") {
			return &Error{"DATABASE_URL", "must start with postgres:// (PostgreSQL) or sqlite: / file: (SQLite); leave unset for SQLite in the data dir"}
		}
	}
	if c.BaseURL == "" {
		host, port, _ := net.SplitHostPort(c.Addr)
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		c.BaseURL = "http://" + net.JoinHostPort(host, port)
	} else {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &Error{"CLOSELOOP_BASE_URL", fmt.Sprintf("%q is not an http(s) URL", c.BaseURL)}
		}
		c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return &Error{"CLOSELOOP_LOG_FORMAT", fmt.Sprintf("%q is not text or json", c.LogFormat)}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return &Error{"CLOSELOOP_LOG_LEVEL", fmt.Sprintf("%q is not debug, info, warn or error", c.LogLevel)}
	}
	if len(c.Tiers) == 0 {
		return errors.New("config: CLOSELOOP_TIERS: at least one tier is needed")
	}
	if tok := c.Channels.SlackBotToken; tok != "" {
		if !strings.HasPrefix(tok, "xox") || strings.ContainsFunc(tok, unicode.IsSpace) {
			return &Error{"CLOSELOOP_SLACK_BOT_TOKEN", "is not a Slack token (the Bot User OAuth Token, xoxb-…, under OAuth & Permissions)"}
		}
		if c.Channels.Slack == "" {
			return &Error{"CLOSELOOP_SLACK_BOT_TOKEN", "is set but CLOSELOOP_SLACK_SECRET is not: the Slack channel is off, so the token would never be used"}
		}
	}
	return nil
}

// SQLitePath is the database file used when DATABASE_URL is unset.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "closeloop.db") }

// DSN returns the database URL, defaulting to SQLite in the data dir.
func (c *Config) DSN() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return "sqlite:" + c.SQLitePath()
}
