package spec

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A network namespace config.json makes new (no path) gets lo up from the
// init; one joined by path, or the host's, is left as it is.
func TestConvertLoopback(t *testing.T) {
	without := func(s *specs.Spec) {
		var ns []specs.LinuxNamespace
		for _, n := range s.Linux.Namespaces {
			if n.Type != specs.NetworkNamespace {
				ns = append(ns, n)
			}
		}
		s.Linux.Namespaces = ns
	}
	joined := func(s *specs.Spec) {
		without(s)
		s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: "/proc/1/ns/net"})
	}
	cases := []struct {
		name string
		edit func(*specs.Spec)
		want bool
	}{
		{"new", func(*specs.Spec) {}, true},
		{"joined by path", joined, false},
		{"the host's", without, false},
	}
	for _, c := range cases {
		s := Default()
		c.edit(s)
		p, _, err := Convert(s, bundle(t), "c1")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if p.Loopback != c.want {
			t.Errorf("%s: Loopback = %v, want %v", c.name, p.Loopback, c.want)
		}
	}
}
