package network

import (
	"net/netip"
	"slices"
	"strings"

	"goc.dev/shared/id"
	"goc.dev/shared/network/ipam"
)

// When a bridge's lease file is damaged, goC rebuilds the leases from the
// live system (live_linux.go looks; this file decides):
//
//   - the bridge's ports, the veths goC named "goC" + a container's short
//     ID, and the addresses of their other ends inside the containers'
//     network namespaces: the addresses really in use;
//   - who holds each namespace: the goC that started the container, found
//     in /proc as the parent of the namespace's first process;
//   - the container's full ID, from the directories goC keeps per container
//     (StateDir/containers/ID) and from its published ports' NAT rules,
//     which also give the ports back.

// bridgePort is a port of the bridge as the kernel shows it.
type bridgePort struct {
	Veth  string       // the host end's name
	IPs   []netip.Addr // the addresses of its other end, in the container
	Owner ipam.Owner   // who holds the container's namespace (no ID yet)
}

// proc is a process as /proc shows it.
type proc struct {
	PID, PPID int
	Start     uint64
	NetNS     string // its network namespace, "net:[INODE]"
}

// owners says who holds each network namespace of procs: the parent of its
// first process (the container's init, whose parent is the goC that
// started it), or the first process itself when its parent is PID 1 or
// gone (its goC died and the container lives on). The first process is
// the earliest started of those whose parent is in another namespace
// (`goC exec`'s processes join later).
func owners(procs []proc) map[string]ipam.Owner {
	byPID := map[int]proc{}
	for _, p := range procs {
		byPID[p.PID] = p
	}
	first := map[string]proc{}
	for _, p := range procs {
		parent, ok := byPID[p.PPID]
		if ok && parent.NetNS == p.NetNS {
			continue
		}
		if f, ok := first[p.NetNS]; !ok || p.Start < f.Start || p.Start == f.Start && p.PID < f.PID {
			first[p.NetNS] = p
		}
	}
	o := map[string]ipam.Owner{}
	for ns, p := range first {
		if parent, ok := byPID[p.PPID]; ok && parent.PID > 1 {
			o[ns] = ipam.Owner{PID: parent.PID, Start: parent.Start}
		} else {
			o[ns] = ipam.Owner{PID: p.PID, Start: p.Start}
		}
	}
	return o
}

// found turns the bridge's ports into the addresses in use: each is owned
// by the container whose short ID its veth's name holds — the full ID when
// exactly one of ids has that short form, else the short ID — with the
// ports published to it (by full ID). A port not named by goC keeps its
// name as the owner's ID: its addresses are in use all the same.
func found(ports []bridgePort, ids []string, published map[string][]ipam.Port) []ipam.Found {
	full := map[string][]string{}
	for _, cid := range ids {
		if id.Validate(cid) == nil && !slices.Contains(full[id.Short(cid)], cid) {
			full[id.Short(cid)] = append(full[id.Short(cid)], cid)
		}
	}
	var out []ipam.Found
	for _, p := range ports {
		o := p.Owner
		o.ID = p.Veth
		if short, ok := strings.CutPrefix(p.Veth, "goC"); ok && short != "" {
			o.ID = short
			if c := full[short]; len(c) == 1 {
				o.ID = c[0]
			}
		}
		for _, ip := range p.IPs {
			out = append(out, ipam.Found{IP: ip, Owner: o, Ports: published[o.ID]})
		}
	}
	return out
}
