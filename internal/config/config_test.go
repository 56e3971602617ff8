package config

import (
	"errors"
	"runtime"
	"testing"
)

func envOf(m map[string]string) Env {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := FromEnv(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.BaseURL != "http://127.0.0.1:8080" || c.DSN() != "sqlite:closeloop-data/closeloop.db" {
		t.Fatalf("unexpected defaults: %+v dsn=%s", c, c.DSN())
	}
	if c.SecureCookies {
		t.Fatal("plain-http default must not set Secure cookies")
	}
}

func TestBadSettingsNameTheSetting(t *testing.T) {
	cases := []struct {
		env     map[string]string
		setting string
	}{
		{map[string]string{"CLOSELOOP_ADDR": "nonsense"}, "CLOSELOOP_ADDR"},
		{map[string]string{"DATABASE_URL": "mysql://x"}, "DATABASE_URL"},
		{map[string]string{"CLOSELOOP_BASE_URL": "ftp://x"}, "CLOSELOOP_BASE_URL"},
		{map[string]string{"CLOSELOOP_LOG_FORMAT": "xml"}, "CLOSELOOP_LOG_FORMAT"},
		{map[string]string{"CLOSELOOP_AUTO_MIGRATE": "maybe"}, "CLOSELOOP_AUTO_MIGRATE"},
		{map[string]string{"CLOSELOOP_SESSION_TTL": "5s"}, "CLOSELOOP_SESSION_TTL"},
		{map[string]string{"CLOSELOOP_SLACK_SECRET": "s", "CLOSELOOP_SLACK_BOT_TOKEN": "8f742231b10e8888abcd99yyyzzz85a5"}, "CLOSELOOP_SLACK_BOT_TOKEN"},
		{map[string]string{"CLOSELOOP_SLACK_SECRET": "s", "CLOSELOOP_SLACK_BOT_TOKEN": "xoxb-1-2-abc\n"}, "CLOSELOOP_SLACK_BOT_TOKEN"},
		{map[string]string{"CLOSELOOP_SLACK_BOT_TOKEN": "xoxb-1-2-abc"}, "CLOSELOOP_SLACK_BOT_TOKEN"},
		{map[string]string{"CLOSELOOP_TRUSTED_PROXIES": "10.0.0.0/8, proxy.internal"}, "CLOSELOOP_TRUSTED_PROXIES"},
		{map[string]string{"CLOSELOOP_MAX_READS": "-1"}, "CLOSELOOP_MAX_READS"},
		{map[string]string{"CLOSELOOP_MAX_READS": "many"}, "CLOSELOOP_MAX_READS"},
	}
	for _, tc := range cases {
		c, err := FromEnv(envOf(tc.env))
		if err == nil {
			err = c.Validate()
		}
		var ce *Error
		if !errors.As(err, &ce) || ce.Setting != tc.setting {
			t.Errorf("env %v: got %v, want error naming %s", tc.env, err, tc.setting)
		}
	}
}

func TestHTTPSBaseURLSecuresCookies(t *testing.T) {
	c, _ := FromEnv(envOf(map[string]string{"CLOSELOOP_BASE_URL": "https://cs.example.com/"}))
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if !c.SecureCookies || c.BaseURL != "https://cs.example.com" {
		t.Fatalf("got %+v", c)
	}
}

func TestSlackBotToken(t *testing.T) {
	c, err := FromEnv(envOf(map[string]string{"CLOSELOOP_SLACK_SECRET": "signing", "CLOSELOOP_SLACK_BOT_TOKEN": "xoxb-17-42-abcDEF"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Channels.SlackBotToken != "xoxb-17-42-abcDEF" || c.Channels.Slack != "signing" {
		t.Fatalf("got %+v", c.Channels)
	}
}

func TestTrustedProxies(t *testing.T) {
	c, err := FromEnv(envOf(map[string]string{"CLOSELOOP_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.TrustedProxies) != 2 || c.TrustedProxies[0].String() != "10.0.0.0/8" || c.TrustedProxies[1].String() != "127.0.0.1/32" {
		t.Errorf("proxies %v", c.TrustedProxies)
	}
}

// The read bound defaults to four per usable core; 0 turns it off.
func TestMaxReads(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want int
	}{
		{nil, 4 * runtime.GOMAXPROCS(0)},
		{map[string]string{"CLOSELOOP_MAX_READS": "0"}, 0},
		{map[string]string{"CLOSELOOP_MAX_READS": "12"}, 12},
	} {
		c, err := FromEnv(envOf(tc.env))
		if err != nil || c.MaxReads != tc.want {
			t.Errorf("env %v: MaxReads %d, err %v; want %d", tc.env, c.MaxReads, err, tc.want)
		}
	}
}
