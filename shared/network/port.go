// Package network connects a container to the host: a bridge ("the
// switch"), a veth pair per container ("the patch cable"), an address from
// ipam, NAT for the way out and published ports for the way in.
package network

import (
	"fmt"
	"strconv"
	"strings"
)

// Port is one -p HOSTPORT:CONTAINERPORT[/tcp|/udp].
type Port struct {
	Host      uint16
	Container uint16
	Proto     string // "tcp" or "udp"
}

func (p Port) String() string { return fmt.Sprintf("%d:%d/%s", p.Host, p.Container, p.Proto) }

// ParsePort reads a -p value.
func ParsePort(s string) (Port, error) {
	spec, proto, hasProto := strings.Cut(s, "/")
	if !hasProto {
		proto = "tcp"
	}
	if proto != "tcp" && proto != "udp" {
		return Port{}, fmt.Errorf("-p %q: protocol must be tcp or udp", s)
	}
	hostPart, ctrPart, ok := strings.Cut(spec, ":")
	if !ok {
		return Port{}, fmt.Errorf("-p %q: need HOSTPORT:CONTAINERPORT", s)
	}
	if strings.Contains(ctrPart, ":") {
		return Port{}, fmt.Errorf("-p %q: publishing on one host address is not supported; use HOSTPORT:CONTAINERPORT", s)
	}
	host, err := portNumber(hostPart)
	if err != nil {
		return Port{}, fmt.Errorf("-p %q: host port: %w", s, err)
	}
	ctr, err := portNumber(ctrPart)
	if err != nil {
		return Port{}, fmt.Errorf("-p %q: container port: %w", s, err)
	}
	return Port{Host: host, Container: ctr, Proto: proto}, nil
}

func portNumber(s string) (uint16, error) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is not a port number", s)
	}
	if n < 1 || n > 65535 {
		return 0, fmt.Errorf("%d is out of range 1-65535", n)
	}
	return uint16(n), nil
}
