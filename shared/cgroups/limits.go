package cgroups

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Resources are the limits a container runs under. A zero field means no
// limit.
type Resources struct {
	Memory int64 // bytes
	// MemorySwap is memory and swap together (v1's memsw; v2 swap.max =
	// MemorySwap - Memory): 0 means Memory (no swap: goC's default, so
	// swap cannot stretch a limit), -1 unlimited swap.
	MemorySwap int64
	CPUQuota   int64  // microseconds of CPU time per CPUPeriod
	CPUPeriod  int64  // microseconds
	Pids       int64  // tasks (processes and threads)
	CPUShares  uint64 // relative weight, 2–262144 (v1 cpu.shares; v2 cpu.weight from it); 0: unset
	// Devices are the device cgroup's rules; none: devices are not
	// restricted by goC.
	Devices []DeviceRule
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

// ParseMemory reads a size as Docker does: a number with an optional unit
// b, k, m, g or t (powers of 1024, any case), "100m" or "1.5g".
func ParseMemory(s string) (int64, error) {
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
		return 0, fmt.Errorf("--memory %q: not a size (use a number with b, k, m or g: 100m)", s)
	}
	bytes := v * float64(unit)
	if bytes >= math.MaxInt64 {
		return 0, fmt.Errorf("--memory %q: too large", s)
	}
	if bytes < MinMemory {
		return 0, fmt.Errorf("--memory %q: below the minimum of 6m a container needs to start", s)
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
