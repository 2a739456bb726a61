package cgroups

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Resources are the limits a container runs under. A zero field means no
// limit (goC update: leave it as it is).
type Resources struct {
	Memory int64 // bytes; -1: no limit
	// MemorySwap is memory and swap together (v1's memsw; v2 swap.max =
	// MemorySwap - Memory): 0 means Memory (no swap: goC's default, so
	// swap cannot stretch a limit), -1 unlimited swap.
	MemorySwap int64
	// MemoryReservation is a soft limit, the size the kernel pushes the
	// container back to when memory runs short (v1
	// memory.soft_limit_in_bytes, v2 memory.low); -1: none.
	MemoryReservation int64
	// Swappiness (0–100) and DisableOOMKiller are v1's alone (its
	// memory.swappiness and memory.oom_control); v2 has neither, and
	// ignores them as runc does.
	Swappiness       *uint64
	DisableOOMKiller bool
	CPUQuota         int64 // microseconds of CPU time per CPUPeriod; -1: no limit
	CPUPeriod        int64 // microseconds
	Pids             int64 // tasks (processes and threads); -1: no limit
	// CPURtPeriod and CPURtRuntime are the realtime scheduler's budget,
	// microseconds of runtime per period (v1's cpu.rt_*; v2 has none).
	CPURtPeriod  uint64
	CPURtRuntime int64
	CPUShares    uint64 // relative weight, 2–262144 (v1 cpu.shares; v2 cpu.weight from it); 0: unset
	// CPUs and Mems are the cpuset: the CPUs and memory nodes the
	// container may use, as the kernel lists them ("0-2,4").
	CPUs, Mems string
	BlockIO    BlockIO
	Hugepages  []Hugepage // limits per huge page size
	Network    Network    // v1's net_cls and net_prio
	// Devices are the device cgroup's rules; none: devices are not
	// restricted by goC.
	Devices []DeviceRule
	// Unified are cgroup v2 interface files and their values
	// (linux.resources.unified), written after the rest; v2 only.
	Unified map[string]string
}

// BlockIO is the block I/O controller's share and rate limits (v1 blkio,
// v2 io). Weights are blkio's, 10–1000 (BFQ's 1–1000); v2's io.weight
// takes them converted to its 1–10000.
type BlockIO struct {
	Weight        uint16
	LeafWeight    uint16 // v1 with the CFQ scheduler only (gone since Linux 5.0)
	WeightDevices []WeightDevice
	Throttle      []Throttle
}

// WeightDevice is a weight for one device.
type WeightDevice struct {
	Major, Minor       int64
	Weight, LeafWeight uint16
}

// Throttle caps one device's I/O: Kind is v2's io.max key, rbps or wbps
// (bytes per second read or written), riops or wiops (operations).
type Throttle struct {
	Kind         string
	Major, Minor int64
	Rate         uint64
}

// Hugepage limits the container's huge pages of one size ("2MB", as the
// kernel names them in hugetlb.2MB.*) to Limit bytes.
type Hugepage struct {
	Size  string
	Limit uint64
}

// Network tags the container's packets for traffic control: ClassID for
// tc's cgroup classifier (net_cls.classid), priorities per interface
// (net_prio.ifpriomap).
type Network struct {
	ClassID    uint32
	Priorities []NetPriority
}

// NetPriority is the priority of the container's traffic on one interface.
type NetPriority struct {
	Interface string
	Priority  uint32
}

func (b BlockIO) empty() bool {
	return b.Weight == 0 && b.LeafWeight == 0 && len(b.WeightDevices) == 0 && len(b.Throttle) == 0
}

// Limits below which a container cannot start, as Docker has them.
const (
	MinMemory   = 6 << 20 // bytes
	CPUPeriod   = 100_000 // µs, the kernel's default CFS period
	minCPUQuota = 1_000   // µs, the kernel's minimum quota
)

// CPUWeight converts v1 cpu.shares (2–262144) to v2 cpu.weight (1–10000)
// with runc's formula, so that a manager's shares mean the same under goC
// (1024 shares → weight 39).
func CPUWeight(shares uint64) uint64 {
	if shares == 0 {
		return 0
	}
	return 1 + ((shares-2)*9999)/262142
}

// ParseMemory reads a memory limit as Docker does: a size (ParseSize)
// of at least MinMemory.
func ParseMemory(s string) (int64, error) {
	bytes, err := ParseSize(s)
	if err != nil {
		return 0, fmt.Errorf("--memory %w", err)
	}
	if bytes < MinMemory {
		return 0, fmt.Errorf("--memory %q: below the minimum of 6m a container needs to start", s)
	}
	return bytes, nil
}

// ParseSize reads a size as Docker does: a number with an optional unit b,
// k, m, g or t (powers of 1024, any case), "100m" or "1.5g".
func ParseSize(s string) (int64, error) {
	num, unit := s, int64(1)
	if n := len(s); n > 0 {
		switch strings.ToLower(s[n-1:]) {
		case "b":
			num = s[:n-1]
		case "k":
			num, unit = s[:n-1], 1<<10
		case "m":
			num, unit = s[:n-1], 1<<20
		case "g":
			num, unit = s[:n-1], 1<<30
		case "t":
			num, unit = s[:n-1], 1<<40
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || num == "" || strings.ContainsAny(num, "+-eEinfINFxX") {
		return 0, fmt.Errorf("%q: not a size (use a number with b, k, m or g: 100m)", s)
	}
	bytes := v * float64(unit)
	if bytes >= math.MaxInt64 {
		return 0, fmt.Errorf("%q: too large", s)
	}
	return int64(bytes), nil
}

// ParseCPU reads a number of CPUs, fractional ("0.5"), and returns the CFS
// quota and period that give it. ncpu is the host's count, the most a
// container can use.
func ParseCPU(s string, ncpu int) (quota, period int64, err error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || strings.ContainsAny(s, "eEinfINFxX") {
		return 0, 0, fmt.Errorf("--cpu %q: not a number of CPUs (0.5, 2)", s)
	}
	if v <= 0 {
		return 0, 0, fmt.Errorf("--cpu %q: must be more than 0", s)
	}
	if v > float64(ncpu) {
		return 0, 0, fmt.Errorf("--cpu %q: this host has only %d CPUs", s, ncpu)
	}
	quota = int64(math.Round(v * CPUPeriod))
	if quota < minCPUQuota {
		return 0, 0, fmt.Errorf("--cpu %q: must be at least 0.01", s)
	}
	return quota, CPUPeriod, nil
}

// ParsePids reads a positive task count.
func ParsePids(s string) (int64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("--pids %q: not a whole number", s)
	}
	if v < 1 {
		return 0, fmt.Errorf("--pids %q: must be at least 1", s)
	}
	return v, nil
}

// FormatBytes prints a size the way ParseMemory reads it, as short as it
// stays exact: 104857600 → "100m".
func FormatBytes(b int64) string {
	for _, u := range []struct {
		shift  uint
		suffix string
	}{{40, "t"}, {30, "g"}, {20, "m"}, {10, "k"}} {
		if b >= 1<<u.shift && b%(1<<u.shift) == 0 {
			return strconv.FormatInt(b>>u.shift, 10) + u.suffix
		}
	}
	return strconv.FormatInt(b, 10) + "b"
}
