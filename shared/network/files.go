package network

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"strings"
)

// Hosts is the container's /etc/hosts: localhost, and its hostname at its
// address.
func Hosts(hostname string, ip netip.Addr) string {
	var b strings.Builder
	b.WriteString("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
	if ip.IsValid() {
		fmt.Fprintf(&b, "%s\t%s\n", ip, hostname)
	} else {
		fmt.Fprintf(&b, "127.0.1.1\t%s\n", hostname)
	}
	return b.String()
}

// FallbackNameservers are used when the host offers none the container can
// reach (Docker does the same).
var FallbackNameservers = []string{"8.8.8.8", "8.8.4.4"}

// ResolvConf is the container's /etc/resolv.conf, made from the host's.
// Nameservers on a loopback address (systemd-resolved's 127.0.0.53, a local
// dnsmasq) cannot be reached from another network namespace: they are
// dropped, and if none is left the upstream file (systemd-resolved keeps
// one) or else the fallback servers are used. search and options lines are
// kept.
func ResolvConf(host io.Reader, upstream func() (io.Reader, bool)) string {
	servers, other := parseResolv(host)
	if len(servers) == 0 && upstream != nil {
		if r, ok := upstream(); ok {
			servers, _ = parseResolv(r)
		}
	}
	if len(servers) == 0 {
		servers = FallbackNameservers
	}
	var b strings.Builder
	for _, s := range servers {
		fmt.Fprintf(&b, "nameserver %s\n", s)
	}
	for _, l := range other {
		b.WriteString(l + "\n")
	}
	return b.String()
}

func parseResolv(r io.Reader) (servers, other []string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "nameserver":
			ip, err := netip.ParseAddr(f[1])
			if err == nil && !ip.IsLoopback() {
				servers = append(servers, ip.String())
			}
		case "search", "options", "domain":
			other = append(other, strings.Join(f, " "))
		}
	}
	return servers, other
}
