package cgroups

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Apply writes the limits asked for, controller by controller, into each
// one's hierarchy; a limit whose controller is not mounted is an error
// that names both.
func (m *v1) Apply(r Resources) error {
	if len(r.Unified) > 0 {
		return fmt.Errorf("linux.resources.unified: cannot be used on cgroup v1 (this host's controllers are v1), as runc refuses it")
	}
	for _, set := range []func(Resources) error{
		m.setMemory, m.setCPU, m.setCpuset, m.setPids, m.setBlkio, m.setHugetlb, m.setNetwork, m.setDevices,
	} {
		if err := set(r); err != nil {
			return err
		}
	}
	return nil
}

func (m *v1) setMemory(r Resources) error {
	if r.Memory == 0 && r.MemoryReservation == 0 && r.Swappiness == nil && !r.DisableOOMKiller {
		return nil
	}
	d, err := m.dir("memory", "linux.resources.memory")
	if err != nil {
		return err
	}
	var todo []setting
	if r.Memory != 0 {
		todo = v1MemoryLimit(d, r)
	}
	if r.MemoryReservation != 0 {
		todo = append(todo, setting{"memory.soft_limit_in_bytes", strconv.FormatInt(r.MemoryReservation, 10)})
	}
	if r.Swappiness != nil {
		todo = append(todo, setting{"memory.swappiness", strconv.FormatUint(*r.Swappiness, 10)})
	}
	if r.DisableOOMKiller {
		todo = append(todo, setting{"memory.oom_control", "1"})
	}
	return writeAll(d, "memory limit", todo)
}

// v1MemoryLimit sets the limit and memsw, memory and swap together
// (present only with swap accounting on). The kernel keeps memsw >= the
// memory limit at every step: a limit above the current memsw (goC update)
// goes after the new memsw. No limit (-1) without a swap one is no memsw
// limit either, as runc has it.
func v1MemoryLimit(d string, r Resources) []setting {
	limit := setting{"memory.limit_in_bytes", strconv.FormatInt(r.Memory, 10)}
	if !exists(d, "memory.memsw.limit_in_bytes") {
		return []setting{limit}
	}
	sw := r.MemorySwap
	if sw == 0 {
		sw = r.Memory
	}
	memsw := setting{"memory.memsw.limit_in_bytes", strconv.FormatInt(sw, 10)}
	if cur, err := readInt(d, "memory.memsw.limit_in_bytes"); err == nil && (r.Memory == -1 || r.Memory > cur) {
		return []setting{memsw, limit}
	}
	return []setting{limit, memsw}
}

// setCPU: a quota of -1 is none; the realtime budget goes period first,
// as runc writes it.
func (m *v1) setCPU(r Resources) error {
	var todo []setting
	for _, s := range []struct {
		set         bool
		file, value string
	}{
		{r.CPUPeriod != 0, "cpu.cfs_period_us", strconv.FormatInt(r.CPUPeriod, 10)},
		{r.CPUQuota != 0, "cpu.cfs_quota_us", strconv.FormatInt(r.CPUQuota, 10)},
		{r.CPUShares != 0, "cpu.shares", strconv.FormatUint(r.CPUShares, 10)},
		{r.CPURtPeriod != 0, "cpu.rt_period_us", strconv.FormatUint(r.CPURtPeriod, 10)},
		{r.CPURtRuntime != 0, "cpu.rt_runtime_us", strconv.FormatInt(r.CPURtRuntime, 10)},
	} {
		if s.set {
			todo = append(todo, setting{s.file, s.value})
		}
	}
	if len(todo) == 0 {
		return nil
	}
	d, err := m.dir("cpu", "linux.resources.cpu")
	if err != nil {
		return err
	}
	return writeAll(d, "cpu limit", todo)
}

func (m *v1) setCpuset(r Resources) error {
	todo := cpusetSettings(r)
	if len(todo) == 0 {
		return nil
	}
	d, err := m.dir("cpuset", "linux.resources.cpu")
	if err != nil {
		return err
	}
	return writeAll(d, "cpuset", todo)
}

// cpusetSettings are the same files in v1 and v2.
func cpusetSettings(r Resources) []setting {
	var todo []setting
	if r.CPUs != "" {
		todo = append(todo, setting{"cpuset.cpus", r.CPUs})
	}
	if r.Mems != "" {
		todo = append(todo, setting{"cpuset.mems", r.Mems})
	}
	return todo
}

// fillCpuset gives each cpuset cgroup from below the hierarchy's root down
// to dir its parent's CPUs and memory nodes where it has none: a new v1
// cpuset cgroup starts empty and takes no task until both are set.
func fillCpuset(mount, dir string) error {
	rel, err := filepath.Rel(mount, dir)
	if err != nil {
		return err
	}
	parent := mount
	for _, part := range strings.Split(rel, "/") {
		cur := filepath.Join(parent, part)
		for _, file := range []string{"cpuset.cpus", "cpuset.mems"} {
			mine, err := os.ReadFile(filepath.Join(cur, file))
			if err != nil {
				return err
			}
			if strings.TrimSpace(string(mine)) != "" {
				continue
			}
			theirs, err := os.ReadFile(filepath.Join(parent, file))
			if err != nil {
				return err
			}
			if err := write(cur, file, strings.TrimSpace(string(theirs))); err != nil {
				return err
			}
		}
		parent = cur
	}
	return nil
}

func (m *v1) setPids(r Resources) error {
	if r.Pids == 0 {
		return nil
	}
	d, err := m.dir("pids", "linux.resources.pids")
	if err != nil {
		return err
	}
	return writeAll(d, "pids limit", []setting{{"pids.max", maxOr(r.Pids)}})
}

// v1Throttle names v1's file for each kind of Throttle.
var v1Throttle = map[string]string{
	"rbps": "blkio.throttle.read_bps_device", "wbps": "blkio.throttle.write_bps_device",
	"riops": "blkio.throttle.read_iops_device", "wiops": "blkio.throttle.write_iops_device",
}

// setBlkio writes the weights to BFQ's files where the kernel has them
// (blkio.bfq.*), as runc does, else to CFQ's (kernels before 5.0).
func (m *v1) setBlkio(r Resources) error {
	b := r.BlockIO
	if b.empty() {
		return nil
	}
	d, err := m.dir("blkio", "linux.resources.blockIO")
	if err != nil {
		return err
	}
	weight, device := "blkio.weight", "blkio.weight_device"
	if exists(d, "blkio.bfq.weight") {
		weight, device = "blkio.bfq.weight", "blkio.bfq.weight_device"
	} else if (b.Weight != 0 || len(b.WeightDevices) > 0) && !exists(d, weight) {
		return fmt.Errorf("linux.resources.blockIO.weight: this kernel's blkio controller has no weight (it needs the BFQ I/O scheduler)")
	}
	var todo []setting
	if b.Weight != 0 {
		todo = append(todo, setting{weight, strconv.Itoa(int(b.Weight))})
	}
	if b.LeafWeight != 0 {
		todo = append(todo, setting{"blkio.leaf_weight", strconv.Itoa(int(b.LeafWeight))})
	}
	for _, w := range b.WeightDevices {
		if w.Weight != 0 {
			todo = append(todo, setting{device, fmt.Sprintf("%d:%d %d", w.Major, w.Minor, w.Weight)})
		}
		if w.LeafWeight != 0 {
			todo = append(todo, setting{"blkio.leaf_weight_device", fmt.Sprintf("%d:%d %d", w.Major, w.Minor, w.LeafWeight)})
		}
	}
	for _, t := range b.Throttle {
		todo = append(todo, setting{v1Throttle[t.Kind], fmt.Sprintf("%d:%d %d", t.Major, t.Minor, t.Rate)})
	}
	return writeAll(d, "block I/O", todo)
}

func (m *v1) setHugetlb(r Resources) error {
	if len(r.Hugepages) == 0 {
		return nil
	}
	d, err := m.dir("hugetlb", "linux.resources.hugepageLimits")
	if err != nil {
		return err
	}
	todo, err := hugetlbSettings(d, r.Hugepages, "limit_in_bytes")
	if err != nil {
		return err
	}
	return writeAll(d, "huge pages", todo)
}

// hugetlbSettings are hugetlb.<size>.<file> (v1 limit_in_bytes, v2 max),
// for the page sizes the kernel has.
func hugetlbSettings(d string, pages []Hugepage, file string) ([]setting, error) {
	var todo []setting
	for _, p := range pages {
		name := "hugetlb." + p.Size + "." + file
		if !exists(d, name) {
			return nil, fmt.Errorf("linux.resources.hugepageLimits: this kernel has no %s huge pages", p.Size)
		}
		todo = append(todo, setting{name, strconv.FormatUint(p.Limit, 10)})
	}
	return todo, nil
}

func (m *v1) setNetwork(r Resources) error {
	n := r.Network
	if n.ClassID != 0 {
		d, err := m.dir("net_cls", "linux.resources.network")
		if err != nil {
			return err
		}
		if err := writeAll(d, "network class", []setting{{"net_cls.classid", strconv.FormatUint(uint64(n.ClassID), 10)}}); err != nil {
			return err
		}
	}
	if len(n.Priorities) == 0 {
		return nil
	}
	d, err := m.dir("net_prio", "linux.resources.network")
	if err != nil {
		return err
	}
	var todo []setting
	for _, p := range n.Priorities {
		todo = append(todo, setting{"net_prio.ifpriomap", fmt.Sprintf("%s %d", p.Interface, p.Priority)})
	}
	return writeAll(d, "network priorities", todo)
}

// setDevices denies everything, then applies each rule in order: an allow
// adds an exception, a deny takes matching ones away — the last rule that
// matches decides, as in v2's program.
func (m *v1) setDevices(r Resources) error {
	if len(r.Devices) == 0 {
		return nil
	}
	d, err := m.dir("devices", "linux.resources.devices")
	if err != nil {
		return err
	}
	if err := write(d, "devices.deny", "a"); err != nil {
		return fmt.Errorf("device cgroup: %w", err)
	}
	for _, rule := range r.Devices {
		file := "devices.deny"
		if rule.Allow {
			file = "devices.allow"
		}
		if err := write(d, file, rule.String()); err != nil {
			return fmt.Errorf("device cgroup %s %q: %w", file, rule, err)
		}
	}
	return nil
}
