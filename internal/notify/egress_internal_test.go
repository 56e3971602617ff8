package notify

import (
	"net/netip"
	"testing"
)

func TestPublicAddr(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		public bool
	}{
		{"127.0.0.1", false}, {"127.8.9.10", false}, {"::1", false},
		{"169.254.169.254", false}, {"fe80::1", false},
		{"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false}, {"fd00::1", false},
		{"0.0.0.0", false}, {"::", false}, {"0.1.2.3", false},
		{"100.64.0.1", false}, {"198.18.0.1", false}, {"192.0.2.1", false}, {"240.0.0.1", false},
		{"255.255.255.255", false}, {"224.0.0.1", false}, {"ff02::1", false},
		{"::ffff:127.0.0.1", false}, {"::ffff:169.254.169.254", false},
		{"64:ff9b::a9fe:a9fe", false}, {"2002:7f00:1::", false},
		{"8.8.8.8", true}, {"1.1.1.1", true}, {"93.184.215.14", true},
		{"2606:4700:4700::1111", true}, {"::ffff:8.8.8.8", true},
	} {
		why := publicAddr(netip.MustParseAddr(tc.addr))
		if (why == "") != tc.public {
			t.Errorf("%s: %q, want public=%v", tc.addr, why, tc.public)
		}
	}
}
