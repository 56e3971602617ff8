package auth

import (
	"net/http/httptest"
	"testing"
)

func TestClientIP(t *testing.T) {
	ps, err := ParseProxies("10.0.0.0/8, 192.0.2.7, ::1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, peer string
		headers    map[string]string
		proxies    Proxies
		want       string
	}{
		{"no proxies configured: header ignored", "203.0.113.9:5000", map[string]string{"X-Forwarded-For": "198.51.100.1"}, nil, "203.0.113.9"},
		{"peer not a proxy: header ignored", "203.0.113.9:5000", map[string]string{"X-Forwarded-For": "198.51.100.1"}, ps, "203.0.113.9"},
		{"one proxy", "10.1.2.3:5000", map[string]string{"X-Forwarded-For": "198.51.100.1"}, ps, "198.51.100.1"},
		{"client-forged left hops skipped", "10.1.2.3:5000", map[string]string{"X-Forwarded-For": "1.1.1.1, 2.2.2.2, 198.51.100.1"}, ps, "198.51.100.1"},
		{"two proxies in a row", "192.0.2.7:443", map[string]string{"X-Forwarded-For": "1.1.1.1, 198.51.100.1, 10.9.9.9"}, ps, "198.51.100.1"},
		{"several header lines", "10.1.2.3:5000", map[string]string{"X-Forwarded-For": "1.1.1.1"}, ps, "1.1.1.1"},
		{"proxy without header", "10.1.2.3:5000", nil, ps, "10.1.2.3"},
		{"garbage hop stops at the proxy", "10.1.2.3:5000", map[string]string{"X-Forwarded-For": "198.51.100.1, not-an-ip"}, ps, "10.1.2.3"},
		{"Forwarded wins", "10.1.2.3:5000", map[string]string{"Forwarded": `for=1.1.1.1, for="[2001:db8::5]:4711";proto=https`, "X-Forwarded-For": "198.51.100.1"}, ps, "2001:db8::5"},
		{"Forwarded unknown stops", "10.1.2.3:5000", map[string]string{"Forwarded": "for=198.51.100.1, for=unknown"}, ps, "10.1.2.3"},
		{"IPv6 loopback proxy", "[::1]:80", map[string]string{"X-Forwarded-For": "198.51.100.2"}, ps, "198.51.100.2"},
		{"all hops trusted: left-most", "10.1.2.3:5000", map[string]string{"X-Forwarded-For": "10.0.0.5, 10.0.0.6"}, ps, "10.0.0.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.peer
			for k, v := range tc.headers {
				r.Header.Set(k, v)
			}
			if got := tc.proxies.ClientIP(r); got != tc.want {
				t.Errorf("ClientIP = %q, want %q", got, tc.want)
			}
		})
	}
	if _, err := ParseProxies("10.0.0.0/33"); err == nil {
		t.Error("bad prefix accepted")
	}
	if _, err := ParseProxies("proxy.local"); err == nil {
		t.Error("host name accepted")
	}
}
