package network

import (
	"net/netip"
	"reflect"
	"testing"

	"goc.dev/shared/network/ipam"
)

func TestOwners(t *testing.T) {
	host, c1, c2 := "net:[1]", "net:[2]", "net:[3]"
	procs := []proc{
		{PID: 1, PPID: 0, Start: 1, NetNS: host},
		{PID: 100, PPID: 1, Start: 50, NetNS: host}, // goC run
		{PID: 101, PPID: 100, Start: 60, NetNS: c1}, // its container's init
		{PID: 102, PPID: 101, Start: 70, NetNS: c1}, // a process of the container
		{PID: 200, PPID: 1, Start: 80, NetNS: host}, // goC exec
		{PID: 201, PPID: 200, Start: 90, NetNS: c1}, // its process, joined later
		{PID: 300, PPID: 1, Start: 55, NetNS: c2},   // a container whose goC died
		{PID: 301, PPID: 300, Start: 56, NetNS: c2},
		{PID: 400, PPID: 999, Start: 40, NetNS: "net:[4]"}, // parent gone
	}
	want := map[string]ipam.Owner{
		host:      {PID: 1, Start: 1},
		c1:        {PID: 100, Start: 50},
		c2:        {PID: 300, Start: 55},
		"net:[4]": {PID: 400, Start: 40},
	}
	if got := owners(procs); !reflect.DeepEqual(got, want) {
		t.Fatalf("owners:\n got %v\nwant %v", got, want)
	}
}

func TestFound(t *testing.T) {
	ip := netip.MustParseAddr
	full := "361323bfc192b7bdd9827bf10e9bd68c7da095d46ae639558452e2087e68fa7e"
	twinA, twinB := "aaaaaaaaaaaa01", "aaaaaaaaaaaa02"
	goc := ipam.Owner{PID: 100, Start: 50}
	web := []ipam.Port{{Host: 8080, Proto: "tcp"}}
	cases := []struct {
		name      string
		ports     []bridgePort
		ids       []string
		published map[string][]ipam.Port
		want      []ipam.Found
	}{
		{"a goC veth: full ID from the containers' directories, with its ports",
			[]bridgePort{{Veth: "goC361323bfc192", IPs: []netip.Addr{ip("10.77.0.2")}, Owner: goc}},
			[]string{"other", full, full}, map[string][]ipam.Port{full: web},
			[]ipam.Found{{IP: ip("10.77.0.2"), Owner: ipam.Owner{ID: full, PID: 100, Start: 50}, Ports: web}}},
		{"no directory: the short ID from the veth's name",
			[]bridgePort{{Veth: "goC361323bfc192", IPs: []netip.Addr{ip("10.77.0.2")}, Owner: goc}}, nil, nil,
			[]ipam.Found{{IP: ip("10.77.0.2"), Owner: ipam.Owner{ID: "361323bfc192", PID: 100, Start: 50}}}},
		{"two IDs of one short form: the short ID",
			[]bridgePort{{Veth: "goCaaaaaaaaaaaa", IPs: []netip.Addr{ip("10.77.0.3")}}}, []string{twinA, twinB}, nil,
			[]ipam.Found{{IP: ip("10.77.0.3"), Owner: ipam.Owner{ID: "aaaaaaaaaaaa"}}}},
		{"a veth not made by goC keeps its addresses, named after it",
			[]bridgePort{{Veth: "vethx", IPs: []netip.Addr{ip("10.77.0.4"), ip("10.77.0.5")}, Owner: goc}}, []string{"../x"}, nil,
			[]ipam.Found{{IP: ip("10.77.0.4"), Owner: ipam.Owner{ID: "vethx", PID: 100, Start: 50}},
				{IP: ip("10.77.0.5"), Owner: ipam.Owner{ID: "vethx", PID: 100, Start: 50}}}},
		{"a veth whose namespace nobody holds has no address", []bridgePort{{Veth: "goC361323bfc192"}}, []string{full}, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := found(c.ports, c.ids, c.published); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("found:\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}
