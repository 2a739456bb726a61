package network

import (
	"net/netip"
	"testing"

	"goc.dev/shared/network/ipam"
)

func TestParseStat(t *testing.T) {
	line := "4242 (a (b) c) S 4200 4242 4200 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1000 100"
	if p, ok := parseStat(line); !ok || p.PPID != 4200 || p.Start != 987654 {
		t.Fatalf("parseStat = %+v, %v", p, ok)
	}
	for _, bad := range []string{"", "1 (x) S", "1 (x) S nope 1 1 0 -1 0 0 0 0 0 0 0 0 20 0 1 0 5 1 1"} {
		if p, ok := parseStat(bad); ok {
			t.Errorf("parseStat(%q) = %+v, want refused", bad, p)
		}
	}
}

func TestRulePort(t *testing.T) {
	ip := netip.MustParseAddr("10.77.0.5")
	for _, p := range []Port{{Host: 8080, Container: 80, Proto: "tcp"}, {Host: 5353, Container: 53, Proto: "udp"}} {
		got, ok := rulePort(portExprs(ip, p))
		if want := (ipam.Port{Host: p.Host, Proto: p.Proto}); !ok || got != want {
			t.Errorf("rulePort(portExprs(%v)) = %+v, %v; want %+v", p, got, ok, want)
		}
	}
	if got, ok := rulePort(nil); ok {
		t.Errorf("rulePort(nil) = %+v", got)
	}
}
