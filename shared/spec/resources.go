package spec

import (
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/id"
)

// ownCgroups are the caller's own cgroups, the base of a relative
// linux.cgroupsPath (a variable for tests).
var ownCgroups = cgroups.Own

// cgroupsPath splits linux.cgroupsPath into parent and name, as runc's
// cgroupfs driver reads it: "/a/b/c" from each hierarchy's root, "a/b/c"
// from goC's own cgroup, at any depth (on a pure v2 host runc 1.1.5 starts
// from the parent of its own; goC, as the OCI validation suite expects,
// from its own); empty means goC/<id>. The path is
// cleaned from "/" first, so that ".." cannot climb above where it starts.
// systemd's "slice:prefix:name" is a relative name (see systemdForm).
// A relative path on a v1 host whose hierarchies hold the caller in
// different cgroups stays relative, below bases (each hierarchy's own).
func cgroupsPath(p, cid string) (parent, name string, bases map[string]string, err error) {
	if p == "" {
		return cgroups.DefaultParent, cid, nil, nil
	}
	if err := systemdForm(p); err != nil {
		return "", "", nil, fmt.Errorf("config.json: linux.cgroupsPath %q: %w", p, err)
	}
	clean := path.Clean("/" + p)
	if clean == "/" {
		return "", "", nil, fmt.Errorf("config.json: linux.cgroupsPath %q names no cgroup", p)
	}
	if !strings.HasPrefix(p, "/") {
		own, err := ownCgroups()
		if err != nil {
			return "", "", nil, fmt.Errorf("config.json: linux.cgroupsPath %q: relative to goC's own cgroup: %w", p, err)
		}
		if self, err := cgroups.Same(own); err == nil {
			clean = path.Join(self, clean)
		} else {
			bases = own
		}
	}
	parent, name = path.Split(strings.TrimPrefix(clean, "/"))
	parent = strings.TrimSuffix(parent, "/")
	if err := cgroups.ValidateParent(parent); err != nil {
		return "", "", nil, fmt.Errorf("config.json: linux.cgroupsPath %q: %w", p, err)
	}
	if err := id.Validate(strings.ReplaceAll(name, ":", "_")); err != nil {
		return "", "", nil, fmt.Errorf("config.json: linux.cgroupsPath %q: %w", p, err)
	}
	return parent, name, bases, nil
}

// systemdForm checks a cgroupsPath with colons: systemd's "slice:prefix:name"
// (containerd sends "test.slice:cri-containerd:<id>" for a parent ending in
// .slice, even with SystemdCgroup=false). With no systemd to ask, runc's
// cgroupfs driver takes it as it is, a relative path: one cgroup of that
// name below the caller's own; so does goC (--systemd-cgroup is not
// supported).
func systemdForm(p string) error {
	parts := strings.Split(p, ":")
	if len(parts) == 1 {
		return nil
	}
	if len(parts) != 3 || parts[2] == "" || strings.Contains(p, "/") {
		return errors.New("not systemd's slice:prefix:name form")
	}
	for _, part := range parts {
		if part != "" && id.Validate(part) != nil {
			return errors.New("not systemd's slice:prefix:name form")
		}
	}
	return nil
}

// DefaultDevices are the device cgroup rules every container gets, runc
// 1.1.5's (in the order its devices.list shows them): mknod (only) of any
// device, the nodes goC makes in /dev, its terminals, and /dev/net/tun. Not
// /dev/console (5:1): a container that may mknod would reach the host's.
var DefaultDevices = []cgroups.DeviceRule{
	{Allow: true, Type: 'b', Major: -1, Minor: -1, Access: "m"},
	{Allow: true, Type: 'c', Major: -1, Minor: -1, Access: "m"},
	{Allow: true, Type: 'c', Major: 1, Minor: 3, Access: "rwm"},    // null
	{Allow: true, Type: 'c', Major: 1, Minor: 5, Access: "rwm"},    // zero
	{Allow: true, Type: 'c', Major: 1, Minor: 7, Access: "rwm"},    // full
	{Allow: true, Type: 'c', Major: 1, Minor: 8, Access: "rwm"},    // random
	{Allow: true, Type: 'c', Major: 1, Minor: 9, Access: "rwm"},    // urandom
	{Allow: true, Type: 'c', Major: 5, Minor: 0, Access: "rwm"},    // tty
	{Allow: true, Type: 'c', Major: 5, Minor: 2, Access: "rwm"},    // ptmx
	{Allow: true, Type: 'c', Major: 10, Minor: 200, Access: "rwm"}, // net/tun
	{Allow: true, Type: 'c', Major: 136, Minor: -1, Access: "rwm"}, // pts
}

func convertResources(r *specs.LinuxResources) (cgroups.Resources, error) {
	var out cgroups.Resources
	switch {
	case len(r.Rdma) > 0:
		return out, unsupported("linux.resources.rdma")
	}
	if err := cgroups.ValidateUnified(r.Unified); err != nil {
		return out, fmt.Errorf("config.json: %w", err)
	}
	out.Unified = r.Unified
	var err error
	if out.Devices, err = deviceRules(r.Devices); err != nil {
		return out, err
	}
	for _, conv := range []func(*specs.LinuxResources, *cgroups.Resources) error{
		convertMemory, convertCPU, convertBlockIO, convertHugepages, convertNetwork,
	} {
		if err := conv(r, &out); err != nil {
			return out, err
		}
	}
	if r.Pids != nil && r.Pids.Limit != nil && *r.Pids.Limit != 0 {
		out.Pids = max(*r.Pids.Limit, -1) // negative: no limit
	}
	return out, nil
}

// deviceRules are the device cgroup's: everything denied, then
// config.json's rules in order, then the ones goC puts in every /dev: the
// last rule that matches decides. A node linux.devices makes gets no rule
// of its own, as in runc 1.1.5: config.json's rules decide whether it may
// be opened (a deny-all there is not undone by listing /dev/kmsg).
func deviceRules(rules []specs.LinuxDeviceCgroup) ([]cgroups.DeviceRule, error) {
	out := []cgroups.DeviceRule{{Type: 'a', Major: -1, Minor: -1, Access: "rwm"}}
	for i, d := range rules {
		rule := cgroups.DeviceRule{Allow: d.Allow, Type: 'a', Major: -1, Minor: -1, Access: d.Access}
		if d.Type != "" {
			rule.Type = d.Type[0]
		}
		if d.Major != nil {
			rule.Major = *d.Major
		}
		if d.Minor != nil {
			rule.Minor = *d.Minor
		}
		if len(d.Type) > 1 {
			return out, fmt.Errorf("config.json: linux.resources.devices[%d]: type %q is not a, c or b", i, d.Type)
		}
		if err := rule.Validate(); err != nil {
			return out, fmt.Errorf("config.json: linux.resources.devices[%d]: %w", i, err)
		}
		out = append(out, rule)
	}
	return append(out, DefaultDevices...), nil
}

// convertMemory: kernel and kernelTCP are accepted and ignored with a
// warning, as runc 1.1 does (Linux no longer limits kernel memory on its
// own); useHierarchy (v1 memory cgroups are always hierarchical now) and
// checkBeforeUpdate (newer than runc 1.1) are ignored too. A swappiness of
// -1 is Docker's "unset".
func convertMemory(r *specs.LinuxResources, out *cgroups.Resources) error {
	m := r.Memory
	if m == nil {
		return nil
	}
	switch {
	case m.Swap != nil && *m.Swap != -1 && *m.Swap != 0 && (m.Limit == nil || *m.Swap < *m.Limit):
		return errors.New("config.json: linux.resources.memory.swap must be at least memory.limit (it counts memory and swap together), or -1")
	case m.Swappiness != nil && *m.Swappiness > 100 && *m.Swappiness != ^uint64(0):
		return fmt.Errorf("config.json: linux.resources.memory.swappiness %d is not between 0 and 100", *m.Swappiness)
	case m.Limit != nil && *m.Limit > 0 && *m.Limit < cgroups.MinMemory:
		return fmt.Errorf("config.json: linux.resources.memory.limit %d is below the minimum of 6m a container needs to start", *m.Limit)
	}
	if (m.Kernel != nil && *m.Kernel != 0) || (m.KernelTCP != nil && *m.KernelTCP != 0) {
		slog.Warn("linux.resources.memory: kernel and kernelTCP are ignored, as runc ignores them")
	}
	if m.Swap != nil && m.Limit != nil && *m.Swap != *m.Limit {
		out.MemorySwap = *m.Swap
	}
	if m.Limit != nil && (*m.Limit > 0 || *m.Limit == -1) {
		out.Memory = *m.Limit
	}
	if m.Reservation != nil {
		out.MemoryReservation = *m.Reservation
	}
	if m.Swappiness != nil && *m.Swappiness <= 100 {
		v := *m.Swappiness
		out.Swappiness = &v
	}
	out.DisableOOMKiller = m.DisableOOMKiller != nil && *m.DisableOOMKiller
	return nil
}

// convertCPU: a negative quota is none (-1); a period alone changes the
// period and keeps the quota (goC update); the realtime budget is v1's.
func convertCPU(r *specs.LinuxResources, out *cgroups.Resources) error {
	c := r.CPU
	if c == nil {
		return nil
	}
	switch {
	case c.Idle != nil:
		return unsupported("linux.resources.cpu.idle")
	case c.Burst != nil:
		return unsupported("linux.resources.cpu.burst")
	case c.Shares != nil && *c.Shares != 0 && (*c.Shares < 2 || *c.Shares > 262144):
		return fmt.Errorf("config.json: linux.resources.cpu.shares %d is not between 2 and 262144", *c.Shares)
	case !cpuList(c.Cpus):
		return fmt.Errorf("config.json: linux.resources.cpu.cpus %q is not a list such as 0-2,4", c.Cpus)
	case !cpuList(c.Mems):
		return fmt.Errorf("config.json: linux.resources.cpu.mems %q is not a list such as 0-2,4", c.Mems)
	}
	out.CPUs, out.Mems = c.Cpus, c.Mems
	if c.Shares != nil {
		out.CPUShares = *c.Shares
	}
	if c.Quota != nil && *c.Quota > 0 {
		out.CPUQuota, out.CPUPeriod = *c.Quota, cgroups.CPUPeriod
	}
	if c.Quota != nil && *c.Quota < 0 {
		out.CPUQuota = -1
	}
	if c.Period != nil && *c.Period > 0 {
		out.CPUPeriod = int64(*c.Period)
	}
	if c.RealtimePeriod != nil {
		out.CPURtPeriod = *c.RealtimePeriod
	}
	if c.RealtimeRuntime != nil {
		out.CPURtRuntime = *c.RealtimeRuntime
	}
	return nil
}

// cpuList reports whether s is empty or lists CPUs or memory nodes as the
// kernel does: numbers and ranges, comma-separated ("0-2,4").
func cpuList(s string) bool {
	if s == "" {
		return true
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		if !isRange {
			hi = lo
		}
		a, err1 := strconv.ParseUint(lo, 10, 16)
		b, err2 := strconv.ParseUint(hi, 10, 16)
		if err1 != nil || err2 != nil || b < a {
			return false
		}
	}
	return true
}

// convertBlockIO: a zero weight is none (Docker sends {"weight": 0} with
// every container).
func convertBlockIO(r *specs.LinuxResources, out *cgroups.Resources) error {
	b := r.BlockIO
	if b == nil {
		return nil
	}
	val := func(p *uint16) uint16 {
		if p == nil {
			return 0
		}
		return *p
	}
	io := cgroups.BlockIO{Weight: val(b.Weight), LeafWeight: val(b.LeafWeight)}
	for _, w := range b.WeightDevice {
		io.WeightDevices = append(io.WeightDevices, cgroups.WeightDevice{Major: w.Major, Minor: w.Minor, Weight: val(w.Weight), LeafWeight: val(w.LeafWeight)})
	}
	for _, t := range []struct {
		kind string
		devs []specs.LinuxThrottleDevice
	}{{"rbps", b.ThrottleReadBpsDevice}, {"wbps", b.ThrottleWriteBpsDevice}, {"riops", b.ThrottleReadIOPSDevice}, {"wiops", b.ThrottleWriteIOPSDevice}} {
		for _, d := range t.devs {
			io.Throttle = append(io.Throttle, cgroups.Throttle{Kind: t.kind, Major: d.Major, Minor: d.Minor, Rate: d.Rate})
		}
	}
	out.BlockIO = io
	return nil
}

// isPageSize: a huge page size as the kernel names them (64KB, 2MB, 1GB),
// ^[1-9][0-9]*[KMG]B$. A loop rather than that regexp: goC links no
// regexp, whose compiling (and unicode's tables) every goC start paid.
func isPageSize(s string) bool {
	n, ok := strings.CutSuffix(s, "B")
	if !ok || len(n) < 2 || !strings.ContainsRune("KMG", rune(n[len(n)-1])) || n[0] == '0' {
		return false
	}
	return allBytes(n[:len(n)-1], func(c byte) bool { return '0' <= c && c <= '9' })
}

// allBytes: f holds for every byte of s.
func allBytes(s string, f func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !f(s[i]) {
			return false
		}
	}
	return true
}

func convertHugepages(r *specs.LinuxResources, out *cgroups.Resources) error {
	for i, h := range r.HugepageLimits {
		if !isPageSize(h.Pagesize) {
			return fmt.Errorf("config.json: linux.resources.hugepageLimits[%d].pageSize %q is not a size such as 2MB", i, h.Pagesize)
		}
		out.Hugepages = append(out.Hugepages, cgroups.Hugepage{Size: h.Pagesize, Limit: h.Limit})
	}
	return nil
}

func convertNetwork(r *specs.LinuxResources, out *cgroups.Resources) error {
	n := r.Network
	if n == nil {
		return nil
	}
	if n.ClassID != nil {
		out.Network.ClassID = *n.ClassID
	}
	for _, p := range n.Priorities {
		out.Network.Priorities = append(out.Network.Priorities, cgroups.NetPriority{Interface: p.Name, Priority: p.Priority})
	}
	return nil
}
