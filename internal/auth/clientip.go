package auth

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Proxies are the reverse proxies whose forwarding headers are believed (config
// CLOSELOOP_TRUSTED_PROXIES). Behind a proxy every request's peer is the proxy, so
// keying rate limits on the peer would put the whole team in one bucket; believing
// the headers from anyone would let a guesser pick a fresh bucket per request.
type Proxies []netip.Prefix

// ParseProxies reads a comma-separated list of addresses and CIDR prefixes
// ("10.0.0.0/8, 127.0.0.1, ::1").
func ParseProxies(s string) (Proxies, error) {
	var out Proxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, err
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, err
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (ps Proxies) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ClientIP is the address of the client that sent r. The peer is the client unless it
// is a listed proxy; then the forwarding headers (Forwarded, else X-Forwarded-For) are
// read right to left, skipping listed proxies, and the first hop that is not one is
// the client — the hops to its left were written by the client itself and prove
// nothing. When every hop is a proxy the left-most one is used; an unreadable hop
// stops the walk at the last trusted address.
func (ps Proxies) ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || len(ps) == 0 || !ps.trusted(peer) {
		return host
	}
	hops := forwardedFor(r.Header)
	client := peer.Unmap()
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(hops[i])
		if err != nil {
			break
		}
		client = a.Unmap()
		if !ps.trusted(client) {
			break
		}
	}
	return client.String()
}

// forwardedFor lists the client addresses of the request's forwarding headers, the
// nearest hop last. RFC 7239 Forwarded wins over X-Forwarded-For when present.
func forwardedFor(h http.Header) []string {
	var hops []string
	if fw := h.Values("Forwarded"); len(fw) > 0 {
		for _, line := range fw {
			for _, elem := range strings.Split(line, ",") {
				hop := ""
				for _, pair := range strings.Split(elem, ";") {
					k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
					if ok && strings.EqualFold(k, "for") {
						hop = forwardedNode(v)
					}
				}
				hops = append(hops, hop)
			}
		}
		return hops
	}
	for _, line := range h.Values("X-Forwarded-For") {
		for _, hop := range strings.Split(line, ",") {
			hops = append(hops, strings.TrimSpace(hop))
		}
	}
	return hops
}

// forwardedNode turns a Forwarded for= node ("192.0.2.1", "\"[2001:db8::1]:4711\"",
// "unknown", "_hidden") into an address, or "" when it is none.
func forwardedNode(v string) string {
	v = strings.Trim(strings.TrimSpace(v), `"`)
	if strings.HasPrefix(v, "[") {
		if end := strings.IndexByte(v, ']'); end > 0 {
			return v[1:end]
		}
		return ""
	}
	if host, _, err := net.SplitHostPort(v); err == nil {
		return host
	}
	return v
}
