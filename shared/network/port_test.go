package network

import (
	"strings"
	"testing"
)

func TestParsePort(t *testing.T) {
	cases := []struct {
		in   string
		want Port
		err  string
	}{
		{"8080:80", Port{8080, 80, "tcp"}, ""},
		{"8080:80/tcp", Port{8080, 80, "tcp"}, ""},
		{"53:5353/udp", Port{53, 5353, "udp"}, ""},
		{"65535:1", Port{65535, 1, "tcp"}, ""},
		{"70000:80", Port{}, "out of range"},
		{"80:70000", Port{}, "out of range"},
		{"0:80", Port{}, "out of range"},
		{"abc", Port{}, "need HOSTPORT:CONTAINERPORT"},
		{"8080", Port{}, "need HOSTPORT:CONTAINERPORT"},
		{"8080:", Port{}, "not a port number"},
		{":80", Port{}, "not a port number"},
		{"a:80", Port{}, "not a port number"},
		{"-1:80", Port{}, "not a port number"},
		{"8080:80/sctp", Port{}, "tcp or udp"},
		{"127.0.0.1:8080:80", Port{}, "not supported"},
	}
	for _, tc := range cases {
		got, err := ParsePort(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParsePort(%q) error = %v, want it to mention %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParsePort(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}
