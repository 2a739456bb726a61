package network

import "testing"

// FuzzParsePort: an accepted -p names ports in 1–65535 and tcp or udp, and
// its String form reads back as the same Port.
func FuzzParsePort(f *testing.F) {
	for _, s := range []string{"8080:80", "8080:80/tcp", "53:5353/udp", "65535:1", "70000:80", "80:70000", "0:80",
		"abc", "8080", "8080:", ":80", "a:80", "-1:80", "8080:80/sctp", "127.0.0.1:8080:80", "+80:80", "80:80/tcp/udp"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePort(s)
		if err != nil {
			if p != (Port{}) {
				t.Fatalf("ParsePort(%q) = %v with error %v", s, p, err)
			}
			return
		}
		if p.Host < 1 || p.Container < 1 || (p.Proto != "tcp" && p.Proto != "udp") {
			t.Fatalf("ParsePort(%q) = %+v", s, p)
		}
		if back, err := ParsePort(p.String()); err != nil || back != p {
			t.Fatalf("ParsePort(%q) = %v; its String reads back as %v, %v", s, p, back, err)
		}
	})
}
