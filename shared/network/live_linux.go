package network

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"goc.dev/shared/network/ipam"
)

// liveLeases is ipam.Store.Live for a bridge: the addresses in use on it
// now (see live.go).
func liveLeases(stateDir, bridge string) func(netip.Prefix) ([]ipam.Found, error) {
	return func(netip.Prefix) ([]ipam.Found, error) {
		ports, err := bridgePorts(bridge)
		if err != nil {
			return nil, err
		}
		var ids []string
		if ents, err := os.ReadDir(filepath.Join(stateDir, "containers")); err == nil {
			for _, e := range ents {
				ids = append(ids, e.Name())
			}
		}
		n, err := openNAT()
		if err != nil {
			return nil, err
		}
		published, err := n.published()
		if err != nil {
			return nil, err
		}
		for cid := range published {
			ids = append(ids, cid)
		}
		return found(ports, ids, published), nil
	}
}

// bridgePorts lists the veths on the bridge with the addresses of their
// other ends, looked up in the network namespaces of the running
// processes (the one the kernel gives the veth's peer's netnsid).
func bridgePorts(bridge string) ([]bridgePort, error) {
	br, err := netlink.LinkByName(bridge)
	var notFound netlink.LinkNotFoundError
	if errors.As(err, &notFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("bridge %s: %w", bridge, err)
	}
	links, err := dump(netlink.LinkList)
	if err != nil {
		return nil, fmt.Errorf("links: %w", err)
	}
	procs := procList()
	own := owners(procs)
	nsids := namespaceIDs(procs)
	defer closeAll(nsids)
	var out []bridgePort
	for _, l := range links {
		a := l.Attrs()
		if a.MasterIndex != br.Attrs().Index || l.Type() != "veth" {
			continue
		}
		p := bridgePort{Veth: a.Name}
		if h, ok := nsids[a.NetNsID]; ok && a.NetNsID >= 0 {
			p.Owner = own[h.proc.NetNS]
			p.IPs, err = peerAddrs(h.ns, a.ParentIndex)
			if err != nil {
				return nil, fmt.Errorf("bridge %s: port %s: %w", bridge, a.Name, err)
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// peerAddrs is the IPv4 addresses of link index in network namespace ns.
func peerAddrs(ns netns.NsHandle, index int) ([]netip.Addr, error) {
	h, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("netlink in the container's namespace: %w", err)
	}
	defer h.Close()
	link, err := h.LinkByIndex(index)
	if err != nil {
		return nil, err
	}
	addrs, err := dump(func() ([]netlink.Addr, error) { return h.AddrList(link, netlink.FAMILY_V4) })
	var ips []netip.Addr
	for _, a := range addrs {
		if ip, ok := netip.AddrFromSlice(a.IP.To4()); ok {
			ips = append(ips, ip)
		}
	}
	return ips, err
}

// holder is a network namespace that some process is in: an open handle
// on it, good after that process has ended, and the process.
type holder struct {
	proc proc
	ns   netns.NsHandle
}

// namespaceIDs maps the netnsid the kernel gives each network namespace of
// procs (seen from goC's own) to a holder of it. A process that has ended
// meanwhile (or whose PID now names another namespace) is passed over for
// the next in its namespace. Namespaces without an ID (goC's own, those no
// link points into) are left out. closeAll closes the handles.
func namespaceIDs(procs []proc) map[int]holder {
	ids := map[int]holder{}
	found := map[string]bool{}
	for _, p := range procs {
		if found[p.NetNS] {
			continue
		}
		ns, err := netns.GetFromPid(p.PID)
		if err != nil {
			continue // gone meanwhile
		}
		var st unix.Stat_t
		if unix.Fstat(int(ns), &st) != nil || fmt.Sprintf("net:[%d]", st.Ino) != p.NetNS {
			ns.Close() // its PID went to another process meanwhile
			continue
		}
		found[p.NetNS] = true
		if nsid, err := netlink.GetNetNsIdByFd(int(ns)); err == nil && nsid >= 0 {
			ids[nsid] = holder{p, ns}
		} else {
			ns.Close()
		}
	}
	return ids
}

func closeAll(ids map[int]holder) {
	for _, h := range ids {
		h.ns.Close()
	}
}

// procList reads every process's parent, start time and network
// namespace from /proc (processes that end meanwhile are left out).
func procList() []proc {
	ents, _ := os.ReadDir("/proc")
	var procs []proc
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		if p, ok := parseStat(string(b)); ok {
			p.PID, p.NetNS = pid, ns
			procs = append(procs, p)
		}
	}
	return procs
}

// parseStat reads the parent (field 4) and start time (field 22) of a
// /proc/PID/stat line. The command name (field 2) may hold spaces and
// parentheses: the fields after it start after the last ')'.
func parseStat(s string) (proc, bool) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return proc{}, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return proc{}, false
	}
	ppid, err1 := strconv.Atoi(f[1])
	start, err2 := strconv.ParseUint(f[19], 10, 64)
	return proc{PPID: ppid, Start: start}, err1 == nil && err2 == nil
}
