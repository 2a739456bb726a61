package ipam

import (
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strings"

	"goc.dev/shared/id"
)

// Found is an address in use as the live system shows it: a container's
// address on the bridge, the goC holding the container, the host ports
// published to it.
type Found struct {
	IP    netip.Addr
	Owner Owner
	Ports []Port
}

// Rebuild makes a subnet's state from the addresses found in use, for a
// lease file that was damaged. Every host address of the subnet in use gets
// a lease, so none is handed out again while a container has it; an
// address used twice gets one lease (its first finder's), and a host port
// found twice stays with its first owner. An owner whose ID is not a valid
// container ID is named after its address, so that reclaiming the lease
// never removes a path it did not make. Allocation goes on after the
// highest address in use.
func Rebuild(subnet netip.Prefix, found []Found) State {
	s := State{Subnet: subnet}
	first, last := hostRange(subnet)
	ips := map[netip.Addr]bool{}
	ports := map[Port]bool{}
	for _, f := range found {
		if !f.IP.IsValid() || f.IP.Compare(first) < 0 || f.IP.Compare(last) > 0 || ips[f.IP] {
			continue
		}
		ips[f.IP] = true
		l := Lease{IP: f.IP, Owner: f.Owner}
		if id.Validate(l.Owner.ID) != nil {
			l.Owner.ID = "unknown-" + strings.ReplaceAll(f.IP.String(), ".", "-")
		}
		for _, p := range f.Ports {
			if !ports[p] {
				ports[p] = true
				l.Ports = append(l.Ports, p)
			}
		}
		s.Leases = append(s.Leases, l)
		if !s.Last.IsValid() || s.Last.Less(f.IP) {
			s.Last = f.IP
		}
	}
	return s
}

// rebuild replaces a damaged lease file (damage says how) by the state
// st.Live finds: the file is kept beside as Path+".damaged" (one copy, the
// latest) and a warning names both.
func (st Store) rebuild(subnet netip.Prefix, damage error) (*State, error) {
	if st.Live == nil {
		return nil, fmt.Errorf("read leases %s: %w", st.Path, damage)
	}
	found, err := st.Live(subnet)
	if err != nil {
		return nil, fmt.Errorf("read leases %s: %w; rebuild from the running containers: %w", st.Path, damage, err)
	}
	if err := os.Rename(st.Path, st.Path+".damaged"); err != nil {
		return nil, fmt.Errorf("read leases %s: %w; move it aside: %w", st.Path, damage, err)
	}
	s := Rebuild(subnet, found)
	slog.Warn("damaged lease file moved aside; leases rebuilt from the running containers",
		"file", st.Path, "damage", damage.Error(), "kept", st.Path+".damaged", "leases", len(s.Leases))
	return &s, nil
}
