package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/closeloop/closeloop/internal/errs"
	"github.com/closeloop/closeloop/internal/store"
)

// EgressKey is the settings row listing the internal hosts webhooks may reach.
const EgressKey = "webhook_egress"

// EgressSettings is the admin's exception to the rule that webhooks go only to
// public addresses (issue 13, defect 8): an endpoint URL whose host is in AllowHosts
// may resolve to loopback, private or link-local addresses. Without it a webhook URL
// could make closeloop post to 169.254.169.254 (cloud credentials) or an internal
// admin port, and show the answer in the delivery log.
type EgressSettings struct {
	AllowHosts []string `json:"allow_hosts"` // host names or IP literals, lower case, no port
}

// LoadEgress reads the settings; unset is no exception.
func LoadEgress(ctx context.Context, st *store.Store) (EgressSettings, error) {
	var e EgressSettings
	_, err := st.GetSetting(ctx, EgressKey, &e)
	return e, err
}

// SaveEgress normalizes and stores the allowed internal hosts.
func SaveEgress(ctx context.Context, st *store.Store, hosts []string) error {
	var e EgressSettings
	for _, h := range hosts {
		h = strings.Trim(strings.ToLower(strings.TrimSpace(h)), "[]") // "[::1]" is ::1
		if h == "" {
			continue
		}
		if len(h) > 253 || strings.ContainsAny(h, "/:@?# \t") && !isIPv6(h) {
			return errs.Invalidf("allow_hosts", "%q is not a host name (no scheme, port or path)", h)
		}
		if !slices.Contains(e.AllowHosts, h) {
			e.AllowHosts = append(e.AllowHosts, h)
		}
	}
	if len(e.AllowHosts) > 100 {
		return errs.Invalid("allow_hosts", "at most 100 hosts")
	}
	return st.PutSetting(ctx, EgressKey, e)
}

func isIPv6(h string) bool {
	a, err := netip.ParseAddr(strings.Trim(h, "[]"))
	return err == nil && a.Is6()
}

func (e EgressSettings) allows(host string) bool {
	host = strings.ToLower(strings.Trim(host, "[]"))
	return slices.Contains(e.AllowHosts, host)
}

// Resolver answers the addresses of a host; net.DefaultResolver in production, a
// fixed map in tests that play DNS rebinding.
type Resolver func(ctx context.Context, host string) ([]netip.Addr, error)

func defaultResolve(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// ErrNotPublic is the cause of a refused destination.
var ErrNotPublic = errors.New("not a public address")

// nonPublic are special-purpose ranges (RFC 6890 and successors) that netip's
// predicates do not name: shared address space, IETF protocol assignments,
// benchmarking, documentation, reserved, NAT64 and 6to4 (which embed IPv4
// addresses a gateway would reach), Teredo, ORCHID.
var nonPublic = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4",
		"64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:10::/28", "2001:20::/28",
		"2001:db8::/32", "2002::/16", "3fff::/20",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// publicAddr reports why a is not a public unicast address, or "".
func publicAddr(a netip.Addr) string {
	a = a.Unmap()
	switch {
	case !a.IsValid():
		return "an invalid address"
	case a.IsLoopback():
		return "a loopback address"
	case a.IsUnspecified():
		return "the unspecified address"
	case a.IsLinkLocalUnicast():
		return "a link-local address"
	case a.IsPrivate():
		return "a private address"
	case a.IsMulticast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		return "a multicast address"
	case a == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return "the broadcast address"
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return "a special-purpose address (" + p.String() + ")"
		}
	}
	return ""
}

// checkHost resolves host and answers its addresses when every one is public (or
// the host is allowed); otherwise an error naming the first refused address.
func (e EgressSettings) checkHost(ctx context.Context, resolve Resolver, host string) ([]netip.Addr, error) {
	host = strings.Trim(host, "[]")
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		if resolve == nil {
			resolve = defaultResolve
		}
		var err error
		if addrs, err = resolve(ctx, host); err != nil {
			return nil, err
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("%s has no address", host)
		}
	}
	if e.allows(host) {
		return addrs, nil
	}
	for _, a := range addrs {
		if why := publicAddr(a); why != "" {
			if a.String() == host {
				return nil, fmt.Errorf("%w: %s is %s", ErrNotPublic, host, why)
			}
			return nil, fmt.Errorf("%w: %s resolves to %s, %s", ErrNotPublic, host, a, why)
		}
	}
	return addrs, nil
}

// checkEndpointURL is the save-time check: an IP literal or a name that resolves to a
// non-public address is refused unless allowed. A name that does not resolve now is
// accepted — DNS may not be set up yet, and the dial-time check guards every send.
func checkEndpointURL(ctx context.Context, st *store.Store, resolve Resolver, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errs.Invalid("url", "must be an http(s) URL without credentials")
	}
	eg, err := LoadEgress(ctx, st)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := eg.checkHost(ctx, resolve, u.Hostname()); errors.Is(err, ErrNotPublic) {
		return errs.Invalidf("url", "%v; an admin can allow an internal host under the webhook egress setting", err)
	}
	return nil
}

// egressClient is the webhook HTTP client: it resolves each destination itself,
// checks every address, and dials only an address it checked, so a name that
// resolved to a public address at save time (or at the last send) cannot be
// re-pointed at an internal one (DNS rebinding). No proxy from the environment is
// used: it would make the dial go elsewhere than the checked address.
func egressClient(eg EgressSettings, resolve Resolver) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			addrs, err := eg.checkHost(ctx, resolve, host)
			if err != nil {
				return nil, err
			}
			var last error
			for _, a := range addrs {
				c, err := dialer.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
				if err == nil {
					return c, nil
				}
				last = err
			}
			return nil, last
		},
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 15 * time.Second,
		// A client is built per delivery (the allowed hosts may have changed), so it
		// keeps no idle connections to leak.
		DisableKeepAlives: true,
		ForceAttemptHTTP2: true,
	}
	return &http.Client{
		Timeout:       15 * time.Second,
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
