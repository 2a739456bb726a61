package ipam

import (
	"fmt"

	"goc.dev/shared/id"
)

// check refuses a state no Allocate makes: a lease of an address outside
// the subnet's host range (the network address, the gateway, the broadcast
// address, another subnet), two leases of one address, an owner that is
// not a valid container ID (reclaiming its lease removes a directory named
// after it), or one host port published twice. A damaged lease file must not hand out an address or a
// port twice.
func (s *State) check() error {
	first, last := hostRange(s.Subnet)
	ips := map[string]bool{}
	ports := map[Port]bool{}
	for _, l := range s.Leases {
		if !l.IP.IsValid() || l.IP.Compare(first) < 0 || l.IP.Compare(last) > 0 {
			return fmt.Errorf("lease of %s (owner %q): not a host address of %s", l.IP, l.Owner.ID, s.Subnet)
		}
		if err := id.Validate(l.Owner.ID); err != nil {
			return fmt.Errorf("lease of %s: %w", l.IP, err)
		}
		if ips[l.IP.String()] {
			return fmt.Errorf("address %s leased twice", l.IP)
		}
		ips[l.IP.String()] = true
		for _, p := range l.Ports {
			if ports[p] {
				return fmt.Errorf("port %d/%s published twice", p.Host, p.Proto)
			}
			ports[p] = true
		}
	}
	return nil
}
