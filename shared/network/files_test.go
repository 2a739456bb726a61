package network

import (
	"io"
	"net/netip"
	"strings"
	"testing"
)

func TestHosts(t *testing.T) {
	got := Hosts("web", netip.MustParseAddr("10.77.0.5"))
	want := "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.77.0.5\tweb\n"
	if got != want {
		t.Fatalf("Hosts = %q, want %q", got, want)
	}
	if got := Hosts("web", netip.Addr{}); !strings.Contains(got, "127.0.1.1\tweb\n") {
		t.Fatalf("Hosts without an address = %q", got)
	}
}

func TestResolvConf(t *testing.T) {
	upstream := func() (io.Reader, bool) { return strings.NewReader("nameserver 192.0.2.53\n"), true }
	none := func() (io.Reader, bool) { return nil, false }
	cases := []struct {
		name, host string
		up         func() (io.Reader, bool)
		want       string
	}{
		{"plain", "nameserver 10.255.255.53\nsearch example.com\n", none, "nameserver 10.255.255.53\nsearch example.com\n"},
		{"resolved stub falls back to upstream", "nameserver 127.0.0.53\noptions edns0 trust-ad\n", upstream, "nameserver 192.0.2.53\noptions edns0 trust-ad\n"},
		{"loopback only, no upstream", "nameserver 127.0.0.1\nnameserver ::1\n", none, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"},
		{"mixed keeps the reachable one", "nameserver 127.0.0.1\nnameserver 192.0.2.1\n# comment\n", upstream, "nameserver 192.0.2.1\n"},
		{"empty", "", none, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"},
	}
	for _, tc := range cases {
		if got := ResolvConf(strings.NewReader(tc.host), tc.up); got != tc.want {
			t.Errorf("%s: ResolvConf = %q, want %q", tc.name, got, tc.want)
		}
	}
}
