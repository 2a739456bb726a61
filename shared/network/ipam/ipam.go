// Package ipam hands out container addresses from a subnet: collision-free,
// persisted in one JSON file per network, and guarded by a file lock so
// that concurrent goC processes never hand out the same address. Every
// lease names its owner (a goC process, by PID and start time), so leases
// whose owner has died can be reclaimed instead of leaking forever. A
// damaged file does not stop the network: it is moved aside and the leases
// rebuilt from the containers that run (Store.Live, Rebuild).
package ipam

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"goc.dev/shared/atomicfile"
)

// Owner is the goC process holding a lease. Start (the process's start
// time in clock ticks) tells a live owner from a new process that got the
// same PID.
type Owner struct {
	ID    string `json:"id"` // container ID
	PID   int    `json:"pid"`
	Start uint64 `json:"start"`
}

// Port is a published host port, kept with the lease so that two
// containers cannot publish the same one.
type Port struct {
	Host  uint16 `json:"host"`
	Proto string `json:"proto"`
}

// Lease is one address in use.
type Lease struct {
	IP    netip.Addr `json:"ip"`
	Owner Owner      `json:"owner"`
	Ports []Port     `json:"ports,omitempty"`
}

// State is a network's leases.
type State struct {
	Subnet netip.Prefix `json:"subnet"`
	Last   netip.Addr   `json:"last,omitempty"` // the last address handed out
	Leases []Lease      `json:"leases"`
}

// ErrExhausted means every address of the subnet is leased.
var ErrExhausted = errors.New("no free address")

// Gateway is the subnet's first address, kept for the bridge.
func Gateway(subnet netip.Prefix) netip.Addr {
	return subnet.Masked().Addr().Next()
}

// Allocate leases the next free address after the last one handed out
// (so an address just released is not reused at once), wrapping around.
func (s *State) Allocate(o Owner, ports []Port) (netip.Addr, error) {
	if !s.Subnet.Addr().Is4() || s.Subnet.Bits() > 30 {
		return netip.Addr{}, fmt.Errorf("subnet %s: need an IPv4 subnet of /30 or larger", s.Subnet)
	}
	for _, p := range ports {
		if l, ok := s.portOwner(p); ok {
			return netip.Addr{}, fmt.Errorf("port %d/%s is already published by container %.12s", p.Host, p.Proto, l.Owner.ID)
		}
	}
	used := map[netip.Addr]bool{}
	for _, l := range s.Leases {
		used[l.IP] = true
	}
	first, last := hostRange(s.Subnet)
	start := s.Last
	if !start.IsValid() || !s.Subnet.Contains(start) {
		start = last
	}
	for ip := next(start, first, last); ; ip = next(ip, first, last) {
		if !used[ip] {
			s.Leases = append(s.Leases, Lease{IP: ip, Owner: o, Ports: ports})
			s.Last = ip
			return ip, nil
		}
		if ip == start {
			return netip.Addr{}, fmt.Errorf("%w in %s", ErrExhausted, s.Subnet)
		}
	}
}

// Release drops the lease of container id and returns it.
func (s *State) Release(id string) (Lease, bool) {
	for i, l := range s.Leases {
		if l.Owner.ID == id {
			s.Leases = append(s.Leases[:i], s.Leases[i+1:]...)
			return l, true
		}
	}
	return Lease{}, false
}

// Reclaim drops the leases whose owner is no longer alive and returns them.
func (s *State) Reclaim(alive func(Owner) bool) []Lease {
	var kept, dropped []Lease
	for _, l := range s.Leases {
		if alive(l.Owner) {
			kept = append(kept, l)
		} else {
			dropped = append(dropped, l)
		}
	}
	s.Leases = kept
	return dropped
}

func (s *State) portOwner(p Port) (Lease, bool) {
	for _, l := range s.Leases {
		for _, q := range l.Ports {
			if q == p {
				return l, true
			}
		}
	}
	return Lease{}, false
}

// hostRange is the addresses containers may get: after the gateway, before
// the broadcast address.
func hostRange(subnet netip.Prefix) (first, last netip.Addr) {
	base := subnet.Masked().Addr()
	first = base.Next().Next()
	b := base.As4()
	n := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n |= 1<<(32-subnet.Bits()) - 1 // broadcast
	n--
	return first, netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

func next(ip, first, last netip.Addr) netip.Addr {
	if ip.Compare(last) >= 0 || ip.Compare(first) < 0 {
		return first
	}
	return ip.Next()
}

// Store keeps a network's State in a file, one writer at a time.
type Store struct {
	Path string // the JSON file; a lock file sits beside it
	// Live finds the addresses in use on the network, for a damaged file
	// (see Update). Without it a damaged file is an error.
	Live func(subnet netip.Prefix) ([]Found, error)
}

// Update locks the store, reads the state (a new one for subnet if there is
// none), lets fn change it, and writes it back atomically if fn succeeds.
// A file that names another subnet is refused: the network exists with
// that subnet. A damaged file — not JSON, truncated, empty, naming no
// subnet, or holding leases no Allocate makes — is moved aside and the
// state rebuilt from Live (see Rebuild), with a warning naming the file.
func (st Store) Update(subnet netip.Prefix, fn func(*State) error) error {
	if err := os.MkdirAll(filepath.Dir(st.Path), 0o700); err != nil {
		return err
	}
	lock, err := os.OpenFile(st.Path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		return &os.PathError{Op: "flock", Path: lock.Name(), Err: err}
	}

	s, err := st.load(subnet)
	if err != nil {
		return err
	}
	if err := fn(s); err != nil {
		return err
	}
	sort.Slice(s.Leases, func(i, j int) bool { return s.Leases[i].IP.Less(s.Leases[j].IP) })
	return writeAtomic(st.Path, s)
}

// load reads the state under the lock.
func (st Store) load(subnet netip.Prefix) (*State, error) {
	b, err := os.ReadFile(st.Path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return &State{Subnet: subnet}, nil
	case err != nil:
		return nil, err
	}
	s := &State{}
	damage := json.Unmarshal(b, s)
	switch {
	case damage != nil:
	case !s.Subnet.IsValid():
		damage = errors.New("names no subnet")
	case s.Subnet != subnet:
		name := strings.TrimSuffix(filepath.Base(st.Path), ".json")
		return nil, fmt.Errorf("network %s has subnet %s, not %s: use its subnet, or remove the network first", name, s.Subnet, subnet)
	default:
		damage = s.check()
	}
	if damage == nil {
		return s, nil
	}
	return st.rebuild(subnet, damage)
}

// Read returns the stored state without changing it.
func (st Store) Read() (State, error) {
	var s State
	b, err := os.ReadFile(st.Path)
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal(b, &s)
}

func writeAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, b, 0o600)
}
