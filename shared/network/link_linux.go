package network

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// ensureBridge makes the bridge with the gateway address and brings it up.
// It is idempotent, and safe when two goCs race to create it: whoever loses
// the race finds the winner's bridge.
func ensureBridge(name string, gw netip.Prefix) (netlink.Link, error) {
	link, err := netlink.LinkByName(name)
	var notFound netlink.LinkNotFoundError
	if errors.As(err, &notFound) {
		br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: name, HardwareAddr: bridgeMAC(gw.Addr())}}
		if err := netlink.LinkAdd(br); err != nil && !errors.Is(err, unix.EEXIST) {
			return nil, fmt.Errorf("create bridge %s: %w", name, err)
		}
		link, err = netlink.LinkByName(name)
	}
	if err != nil {
		return nil, fmt.Errorf("bridge %s: %w", name, err)
	}
	if _, ok := link.(*netlink.Bridge); !ok {
		return nil, fmt.Errorf("%s exists and is not a bridge (%s)", name, link.Type())
	}
	if err := pinMAC(link, gw.Addr()); err != nil {
		return nil, err
	}
	addrs, err := dump(func() ([]netlink.Addr, error) { return netlink.AddrList(link, netlink.FAMILY_V4) })
	if err != nil {
		return nil, fmt.Errorf("bridge %s addresses: %w", name, err)
	}
	have := false
	for _, a := range addrs {
		p, _ := netip.AddrFromSlice(a.IP.To4())
		ones, _ := a.Mask.Size()
		switch {
		case p == gw.Addr() && ones == gw.Bits():
			have = true
		case gw.Masked().Contains(p) || netip.PrefixFrom(p, ones).Masked().Contains(gw.Addr()):
			return nil, fmt.Errorf("bridge %s has address %s/%d, not %s: remove it (ip link del %s) or use its subnet", name, p, ones, gw, name)
		}
	}
	if !have {
		if err := netlink.AddrAdd(link, &netlink.Addr{IPNet: ipNet(gw)}); err != nil && !errors.Is(err, unix.EEXIST) {
			return nil, fmt.Errorf("address bridge %s: %w", name, err)
		}
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return nil, fmt.Errorf("bring up bridge %s: %w", name, err)
	}
	// Published ports reach the container from 127.0.0.1 too: DNAT keeps
	// that source, which the kernel routes out of the bridge only with
	// route_localnet (and NAT then rewrites it).
	if err := sysctl("net/ipv4/conf/"+name+"/route_localnet", "1"); err != nil {
		return nil, err
	}
	return link, nil
}

// bridgeMAC is the bridge's own MAC address: locally administered, made
// from the gateway address as Docker makes its containers' (02:42:IP), so
// the same bridge gets the same address every time. Without one the
// kernel gives a bridge the lowest MAC among its ports, which changes as
// containers come and go (to 00:00:00:00:00:00 when none is left), and a
// container whose neighbour entry for the gateway holds an old one has its
// replies to the host dropped (the bridge passes them up as meant for
// another host) until a new ARP exchange corrects the entry.
func bridgeMAC(gw netip.Addr) net.HardwareAddr {
	a := gw.As4()
	return net.HardwareAddr{0x02, 0x42, a[0], a[1], a[2], a[3]}
}

// pinMAC gives a bridge its own MAC address if it has another (one made
// by an older goC, or by whoever raced us to create it without one). It
// asks netlink, not /sys/class/net: a goC in a network namespace of its
// own (unshare -n, nsenter --net) may see another namespace's sysfs, where
// the bridge is missing or is another namespace's link of the same name.
func pinMAC(link netlink.Link, gw netip.Addr) error {
	mac := bridgeMAC(gw)
	if bytes.Equal(link.Attrs().HardwareAddr, mac) {
		return nil
	}
	if err := netlink.LinkSetHardwareAddr(link, mac); err != nil {
		return fmt.Errorf("set the MAC address of bridge %s: %w", link.Attrs().Name, err)
	}
	return nil
}

// addVeth connects the process pid's network namespace to the bridge: a
// veth pair whose host end (hostName) is a port of the bridge and whose
// other end is created inside the namespace as eth0, with addr, up, and a
// default route through gw.
func addVeth(hostName string, br netlink.Link, pid int, addr netip.Prefix, gw netip.Addr) (retErr error) {
	veth := &netlink.Veth{
		LinkAttrs:     netlink.LinkAttrs{Name: hostName, MasterIndex: br.Attrs().Index, MTU: br.Attrs().MTU},
		PeerName:      "eth0",
		PeerNamespace: netlink.NsPid(pid),
	}
	if err := netlink.LinkAdd(veth); err != nil {
		return fmt.Errorf("create veth %s: %w", hostName, err)
	}
	defer func() {
		if retErr != nil {
			_ = netlink.LinkDel(veth)
		}
	}()
	if err := netlink.LinkSetUp(veth); err != nil {
		return fmt.Errorf("bring up %s: %w", hostName, err)
	}
	return inNetns(pid, func(h *netlink.Handle) error {
		eth0, err := h.LinkByName("eth0")
		if err != nil {
			return fmt.Errorf("container eth0: %w", err)
		}
		if err := h.AddrAdd(eth0, &netlink.Addr{IPNet: ipNet(addr)}); err != nil {
			return fmt.Errorf("address eth0: %w", err)
		}
		if err := h.LinkSetUp(eth0); err != nil {
			return fmt.Errorf("bring up eth0: %w", err)
		}
		if err := loUp(h); err != nil {
			return err
		}
		route := &netlink.Route{LinkIndex: eth0.Attrs().Index, Gw: net.IP(gw.AsSlice())}
		if err := h.RouteAdd(route); err != nil {
			return fmt.Errorf("default route via %s: %w", gw, err)
		}
		return nil
	})
}

// loopbackOnly brings up lo in pid's network namespace, and nothing else.
func loopbackOnly(pid int) error {
	return inNetns(pid, loUp)
}

func loUp(h *netlink.Handle) error {
	lo, err := h.LinkByName("lo")
	if err != nil {
		return fmt.Errorf("container lo: %w", err)
	}
	if err := h.LinkSetUp(lo); err != nil {
		return fmt.Errorf("bring up lo: %w", err)
	}
	return nil
}

// inNetns runs fn with a netlink handle whose sockets live in pid's
// network namespace. The handle is made on a locked OS thread that enters
// the namespace only to open its sockets (netlink.NewHandleAt), so no
// goroutine of goC ever runs in the container's namespace.
func inNetns(pid int, fn func(*netlink.Handle) error) error {
	ns, err := netns.GetFromPid(pid)
	if err != nil {
		return fmt.Errorf("network namespace of %d: %w", pid, err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("netlink in the container's namespace: %w", err)
	}
	defer h.Close()
	return fn(h)
}

// deleteLink removes a link if it exists (a veth's peer goes with it).
func deleteLink(name string) error {
	link, err := netlink.LinkByName(name)
	var notFound netlink.LinkNotFoundError
	if errors.As(err, &notFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := netlink.LinkDel(link); err != nil && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("delete %s: %w", name, err)
	}
	return nil
}

func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

// sysctl sets /proc/sys/<key> if it is not set already.
func sysctl(key, value string) error {
	p := "/proc/sys/" + key
	if b, err := os.ReadFile(p); err == nil && string(b) == value+"\n" {
		return nil
	}
	if err := os.WriteFile(p, []byte(value), 0o644); err != nil {
		return fmt.Errorf("sysctl %s=%s: %w", key, value, err)
	}
	return nil
}
