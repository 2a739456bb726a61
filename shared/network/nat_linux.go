package network

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"

	"goc.dev/shared/network/ipam"
)

// goC's rules live in one nftables table of their own, "ip goC", made
// through netlink (google/nftables): no iptables or nft binary is needed,
// and nothing of anyone else's ruleset is touched. Each rule carries a tag
// in its user data, which is how goC finds its rules again — to avoid
// adding one twice, and to delete a container's.
//
//	table ip goC {
//	  chain postrouting { type nat hook postrouting priority srcnat
//	    ip saddr SUBNET oifname != BRIDGE masquerade      # masq:BRIDGE
//	    oifname BRIDGE ip saddr 127.0.0.0/8 masquerade   # lo:BRIDGE
//	  }
//	  chain prerouting { type nat hook prerouting priority dstnat
//	    fib daddr type local tcp dport 8080 dnat to 10.77.0.5:80   # port:ID
//	  }
//	  chain output { type nat hook output priority -100
//	    (the same port rules, for connections made on the host itself)
//	  }
//	}
const natTable = "goC"

type nat struct {
	conn  *nftables.Conn
	table *nftables.Table
	post  *nftables.Chain
	pre   *nftables.Chain
	out   *nftables.Chain
}

// openNAT makes sure the table and its chains exist. Reading is cheap and
// every nftables commit is a transaction the kernel pays for, so it only
// writes what is missing (adding them is idempotent anyway).
func openNAT() (*nat, error) {
	c, err := nftables.New()
	if err != nil {
		return nil, fmt.Errorf("nftables: %w", err)
	}
	n := &nat{conn: c, table: &nftables.Table{Name: natTable, Family: nftables.TableFamilyIPv4}}
	want := []*nftables.Chain{
		{Name: "postrouting", Table: n.table, Type: nftables.ChainTypeNAT, Hooknum: nftables.ChainHookPostrouting, Priority: nftables.ChainPriorityNATSource},
		{Name: "prerouting", Table: n.table, Type: nftables.ChainTypeNAT, Hooknum: nftables.ChainHookPrerouting, Priority: nftables.ChainPriorityNATDest},
		{Name: "output", Table: n.table, Type: nftables.ChainTypeNAT, Hooknum: nftables.ChainHookOutput, Priority: nftables.ChainPriorityNATDest},
	}
	n.post, n.pre, n.out = want[0], want[1], want[2]
	have := map[string]bool{}
	if chains, err := c.ListChainsOfTableFamily(nftables.TableFamilyIPv4); err == nil {
		for _, ch := range chains {
			if ch.Table.Name == natTable {
				have[ch.Name] = true
			}
		}
	}
	if have["postrouting"] && have["prerouting"] && have["output"] {
		return n, nil
	}
	c.AddTable(n.table)
	for _, ch := range want {
		c.AddChain(ch)
	}
	if err := c.Flush(); err != nil {
		return nil, fmt.Errorf("nftables table %s: %w", natTable, err)
	}
	return n, nil
}

// ensureMasquerade adds the bridge's two masquerade rules unless present.
func (n *nat) ensureMasquerade(bridge string, subnet netip.Prefix) error {
	rules, err := n.conn.GetRules(n.table, n.post)
	if err != nil {
		return fmt.Errorf("nftables rules: %w", err)
	}
	have := map[string]bool{}
	for _, r := range rules {
		have[string(r.UserData)] = true
	}
	base := subnet.Masked().Addr().As4()
	mask := netipMask(subnet.Bits())
	if have["masq:"+bridge] && have["lo:"+bridge] {
		return nil
	}
	if tag := "masq:" + bridge; !have[tag] {
		n.conn.AddRule(&nftables.Rule{Table: n.table, Chain: n.post, UserData: []byte(tag), Exprs: []expr.Any{
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 12, Len: 4},
			&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: mask, Xor: []byte{0, 0, 0, 0}},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: base[:]},
			&expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1},
			&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: ifname(bridge)},
			&expr.Masq{},
		}})
	}
	if tag := "lo:" + bridge; !have[tag] {
		n.conn.AddRule(&nftables.Rule{Table: n.table, Chain: n.post, UserData: []byte(tag), Exprs: []expr.Any{
			&expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: ifname(bridge)},
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 12, Len: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{127}},
			&expr.Masq{},
		}})
	}
	if err := n.conn.Flush(); err != nil {
		return fmt.Errorf("nftables masquerade for %s: %w", bridge, err)
	}
	return nil
}

// publish adds DNAT rules sending host ports to the container.
func (n *nat) publish(id string, ip netip.Addr, ports []Port) error {
	for _, p := range ports {
		for _, ch := range []*nftables.Chain{n.pre, n.out} {
			n.conn.AddRule(&nftables.Rule{Table: n.table, Chain: ch, UserData: []byte(portTag(id)), Exprs: portExprs(ip, p)})
		}
	}
	if err := n.conn.Flush(); err != nil {
		return fmt.Errorf("nftables: publish ports: %w", err)
	}
	return nil
}

// portExprs is the rule sending host port p to ip.
func portExprs(ip netip.Addr, p Port) []expr.Any {
	a := ip.As4()
	proto := byte(unix.IPPROTO_TCP)
	if p.Proto == "udp" {
		proto = unix.IPPROTO_UDP
	}
	return []expr.Any{
		&expr.Fib{Register: 1, FlagDADDR: true, ResultADDRTYPE: true},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.NativeEndian.PutUint32(unix.RTN_LOCAL)},
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{proto}},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.BigEndian.PutUint16(p.Host)},
		&expr.Immediate{Register: 1, Data: a[:]},
		&expr.Immediate{Register: 2, Data: binaryutil.BigEndian.PutUint16(p.Container)},
		&expr.NAT{Type: expr.NATTypeDestNAT, Family: unix.NFPROTO_IPV4, RegAddrMin: 1, RegProtoMin: 2, Specified: true},
	}
}

// rulePort reads back the host port a portExprs rule publishes.
func rulePort(exprs []expr.Any) (ipam.Port, bool) {
	var p ipam.Port
	for i := 0; i+1 < len(exprs); i++ {
		cmp, ok := exprs[i+1].(*expr.Cmp)
		if !ok {
			continue
		}
		switch e := exprs[i].(type) {
		case *expr.Meta:
			if e.Key == expr.MetaKeyL4PROTO && len(cmp.Data) == 1 {
				p.Proto = map[byte]string{unix.IPPROTO_TCP: "tcp", unix.IPPROTO_UDP: "udp"}[cmp.Data[0]]
			}
		case *expr.Payload:
			if e.Base == expr.PayloadBaseTransportHeader && e.Offset == 2 && len(cmp.Data) == 2 {
				p.Host = binaryutil.BigEndian.Uint16(cmp.Data)
			}
		}
	}
	return p, p.Proto != "" && p.Host != 0
}

// published lists the host ports published to each container, by ID, as
// the prerouting chain's tagged rules hold them.
func (n *nat) published() (map[string][]ipam.Port, error) {
	rules, err := n.conn.GetRules(n.table, n.pre)
	if err != nil {
		return nil, fmt.Errorf("nftables rules: %w", err)
	}
	ports := map[string][]ipam.Port{}
	for _, r := range rules {
		cid, ok := strings.CutPrefix(string(bytes.TrimRight(r.UserData, "\x00")), "port:")
		if p, isPort := rulePort(r.Exprs); ok && isPort {
			ports[cid] = append(ports[cid], p)
		}
	}
	return ports, nil
}

// deleteTagged removes the rules of every chain whose tag matches.
func (n *nat) deleteTagged(match func(tag string) bool) error {
	deleted := 0
	for _, ch := range []*nftables.Chain{n.post, n.pre, n.out} {
		rules, err := n.conn.GetRules(n.table, ch)
		if err != nil {
			return fmt.Errorf("nftables rules: %w", err)
		}
		for _, r := range rules {
			if match(string(r.UserData)) {
				if err := n.conn.DelRule(r); err != nil {
					return err
				}
				deleted++
			}
		}
	}
	if deleted == 0 {
		return nil
	}
	return n.conn.Flush()
}

func (n *nat) unpublish(id string) error {
	return n.deleteTagged(func(tag string) bool { return tag == portTag(id) })
}

func portTag(id string) string { return "port:" + id }

// ifname is an interface name as nftables compares it: NUL-padded to
// IFNAMSIZ.
func ifname(name string) []byte {
	b := make([]byte, unix.IFNAMSIZ)
	copy(b, name)
	return b
}

func netipMask(bits int) []byte {
	m := make([]byte, 4)
	binary.BigEndian.PutUint32(m, ^uint32(0)<<(32-bits))
	return m
}

// RuleTags lists goC's NAT rules as "CHAIN TAG", for tests and debugging.
func RuleTags() ([]string, error) {
	n, err := openNAT()
	if err != nil {
		return nil, err
	}
	var tags []string
	for _, ch := range []*nftables.Chain{n.post, n.pre, n.out} {
		rules, err := n.conn.GetRules(n.table, ch)
		if err != nil {
			return nil, err
		}
		for _, r := range rules {
			tags = append(tags, ch.Name+" "+string(bytes.TrimRight(r.UserData, "\x00")))
		}
	}
	return tags, nil
}
