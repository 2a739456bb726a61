package network

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"goc.dev/shared/id"
	"goc.dev/shared/network/ipam"
	"goc.dev/shared/process"
)

// Modes of --network.
const (
	ModeHost   = ""       // no flag: the host's network, as in stages 1–2
	ModeNone   = "none"   // a namespace with only lo
	ModeBridge = "bridge" // a namespace wired to the bridge
)

// Defaults. The subnet stays clear of Docker's 172.17.0.0/16 and Podman's
// 10.88.0.0/16.
const (
	DefaultBridge   = "goC0"
	DefaultSubnet   = "10.77.0.0/16"
	DefaultStateDir = "/run/goC/network"
)

// Config is how one container is networked.
type Config struct {
	Mode     string
	Bridge   string
	Subnet   netip.Prefix
	Ports    []Port
	StateDir string
}

// Attachment is one container's place on the network, from Reserve to
// Release. Each resource it takes has its undo in Release.
type Attachment struct {
	cfg      Config
	id       string
	IP       netip.Addr // the container's address (bridge mode)
	Gateway  netip.Addr
	hostVeth string
	dir      string // the container's hosts and resolv.conf
}

// Reserve does what must happen before the container starts: it checks
// the published ports are free, creates the bridge and its NAT rules if
// needed, leases an address, and writes the container's /etc/hosts and
// /etc/resolv.conf. Leases whose goC died are reclaimed on the way.
func Reserve(cfg Config, cid, hostname string) (_ *Attachment, retErr error) {
	if err := id.Validate(cid); err != nil {
		return nil, err
	}
	a := &Attachment{cfg: cfg, id: cid, dir: filepath.Join(cfg.StateDir, "containers", cid)}
	defer func() {
		if retErr != nil {
			_ = a.Release()
		}
	}()
	if cfg.Mode == ModeBridge {
		if err := a.lease(); err != nil {
			return nil, err
		}
	}
	if err := a.writeFiles(hostname); err != nil {
		return nil, err
	}
	return a, nil
}

func (a *Attachment) lease() error {
	for _, p := range a.cfg.Ports {
		if err := portFree(p); err != nil {
			return err
		}
	}
	me := ipam.Owner{ID: a.id, PID: os.Getpid()}
	var err error
	if me.Start, err = process.StartTime(me.PID); err != nil {
		return err
	}
	var ports []ipam.Port
	for _, p := range a.cfg.Ports {
		ports = append(ports, ipam.Port{Host: p.Host, Proto: p.Proto})
	}
	gw := ipam.Gateway(a.cfg.Subnet)
	store := a.store()
	return store.Update(a.cfg.Subnet, func(s *ipam.State) error {
		// Under the lease lock, so that racing goCs create the bridge and
		// its rules once.
		if err := sysctl("net/ipv4/ip_forward", "1"); err != nil {
			return err
		}
		if _, err := ensureBridge(a.cfg.Bridge, netip.PrefixFrom(gw, a.cfg.Subnet.Bits())); err != nil {
			return err
		}
		n, err := openNAT()
		if err != nil {
			return err
		}
		if err := n.ensureMasquerade(a.cfg.Bridge, a.cfg.Subnet); err != nil {
			return err
		}
		for _, dead := range s.Reclaim(func(o ipam.Owner) bool { return process.Alive(o.PID, o.Start) }) {
			slog.Info("reclaimed the address of a container whose goC died", "ip", dead.IP, "container", dead.Owner.ID)
			_ = n.unpublish(dead.Owner.ID)
			_ = deleteLink(vethName(dead.Owner.ID))
			_ = os.RemoveAll(filepath.Join(a.cfg.StateDir, "containers", dead.Owner.ID)) // its hosts, resolv.conf
		}
		ip, err := s.Allocate(me, ports)
		if err != nil {
			return fmt.Errorf("network %s: %w", a.cfg.Bridge, err)
		}
		a.IP, a.Gateway, a.hostVeth = ip, gw, vethName(a.id)
		return nil
	})
}

// portFree checks that nothing on the host listens on p already.
func portFree(p Port) error {
	addr := ":" + strconv.Itoa(int(p.Host))
	var c io.Closer
	var err error
	if p.Proto == "udp" {
		c, err = net.ListenPacket("udp", addr)
	} else {
		c, err = net.Listen("tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("cannot publish %s: host port %d/%s is already in use", p, p.Host, p.Proto)
	}
	return c.Close()
}

func (a *Attachment) writeFiles(hostname string) error {
	if a.cfg.Mode == ModeHost {
		return nil
	}
	if err := os.MkdirAll(a.dir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(a.dir, "hosts"), []byte(Hosts(hostname, a.IP)), 0o644); err != nil {
		return err
	}
	host, err := os.Open("/etc/resolv.conf")
	var r io.Reader = strings.NewReader("")
	if err == nil {
		defer host.Close()
		r = host
	}
	upstream := func() (io.Reader, bool) {
		f, err := os.Open("/run/systemd/resolve/resolv.conf")
		if err != nil {
			return nil, false
		}
		b, _ := io.ReadAll(f)
		f.Close()
		return strings.NewReader(string(b)), true
	}
	return os.WriteFile(filepath.Join(a.dir, "resolv.conf"), []byte(ResolvConf(r, upstream)), 0o644)
}

// Files are the container's /etc/hosts and /etc/resolv.conf on the host,
// to bind-mount over the rootfs's (nil in host mode).
func (a *Attachment) Files() map[string]string {
	if a.cfg.Mode == ModeHost {
		return nil
	}
	return map[string]string{
		"/etc/hosts":       filepath.Join(a.dir, "hosts"),
		"/etc/resolv.conf": filepath.Join(a.dir, "resolv.conf"),
	}
}

// Attach wires the network namespace of the container's init (pid, as the
// host sees it): lo alone for none; for bridge a veth pair to the bridge,
// eth0 with the leased address and a default route, and the published
// ports.
func (a *Attachment) Attach(pid int) error {
	switch a.cfg.Mode {
	case ModeNone:
		return loopbackOnly(pid)
	case ModeBridge:
		br, err := ensureBridge(a.cfg.Bridge, netip.PrefixFrom(a.Gateway, a.cfg.Subnet.Bits()))
		if err != nil {
			return err
		}
		if err := addVeth(a.hostVeth, br, pid, netip.PrefixFrom(a.IP, a.cfg.Subnet.Bits()), a.Gateway); err != nil {
			return err
		}
		if len(a.cfg.Ports) == 0 {
			return nil
		}
		n, err := openNAT()
		if err != nil {
			return err
		}
		return n.publish(a.id, a.IP, a.cfg.Ports)
	}
	return nil
}

// Release undoes Attach and Reserve: published ports, the lease, the
// files. The veth pair goes with the container's network namespace: the
// kernel removes both ends when the namespace is torn down, a moment after
// the container's last process has exited. goC does not delete it itself —
// that would make every run wait for the kernel's teardown (an RCU grace
// period, 15–40 ms here) for no gain; a veth whose namespace somehow
// outlives the container is deleted when its lease is reclaimed.
func (a *Attachment) Release() error {
	var errs []error
	if a.cfg.Mode == ModeBridge {
		if len(a.cfg.Ports) > 0 {
			if n, err := openNAT(); err != nil {
				errs = append(errs, err)
			} else if err := n.unpublish(a.id); err != nil {
				errs = append(errs, err)
			}
		}
		if a.IP.IsValid() {
			err := a.store().Update(a.cfg.Subnet, func(s *ipam.State) error {
				s.Release(a.id)
				return nil
			})
			if err != nil {
				errs = append(errs, fmt.Errorf("release %s: %w", a.IP, err))
			}
		}
	}
	if err := os.RemoveAll(a.dir); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Reattach is the Attachment of a container, running or ended, whose goC
// that reserved it has handed its end of life to another process (stage
// 5's shim, which execs a smaller monitor): enough for Release.
func Reattach(cfg Config, cid string, ip netip.Addr) *Attachment {
	return &Attachment{cfg: cfg, id: cid, IP: ip, hostVeth: vethName(cid), dir: filepath.Join(cfg.StateDir, "containers", cid)}
}

func (a *Attachment) store() ipam.Store {
	return ipam.Store{Path: filepath.Join(a.cfg.StateDir, a.cfg.Bridge+".json"), Live: liveLeases(a.cfg.StateDir, a.cfg.Bridge)}
}

// vethName is the host end of a container's veth pair: "goC" and the
// container's short ID, 15 characters (the most a name may have).
func vethName(cid string) string { return "goC" + id.Short(cid) }

// RemoveBridge deletes a bridge with its NAT rules and its leases file, and
// a damaged one kept beside it (the bridge and masquerade rules otherwise
// stay, as Docker's do).
func RemoveBridge(stateDir, bridge string) error {
	var errs []error
	if n, err := openNAT(); err != nil {
		errs = append(errs, err)
	} else if err := n.deleteTagged(func(t string) bool { return t == "masq:"+bridge || t == "lo:"+bridge }); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, deleteLink(bridge))
	for _, f := range []string{bridge + ".json", bridge + ".json.lock", bridge + ".json.damaged"} {
		if err := os.Remove(filepath.Join(stateDir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
