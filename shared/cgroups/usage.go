package cgroups

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Usage is what a cgroup uses now, for "goC events" (0 where the kernel
// does not say; limits are -1 for none).
type Usage struct {
	CPUTotalNs  uint64
	MemoryUsage int64
	MemoryPeak  int64
	MemoryLimit int64
	PidsCurrent int64
	PidsLimit   int64
}

// ReadUsage reads m's counters from its directories.
func ReadUsage(m Manager) Usage {
	u := Usage{MemoryLimit: -1, PidsLimit: -1}
	dirs := m.Dirs()
	if d, ok := dirs[""]; ok { // v2
		u.MemoryUsage = number(d, "memory.current")
		u.MemoryPeak = number(d, "memory.peak")
		u.MemoryLimit = number(d, "memory.max")
		u.PidsCurrent = number(d, "pids.current")
		u.PidsLimit = number(d, "pids.max")
		if usec, err := readKey(d, "cpu.stat", "usage_usec"); err == nil {
			u.CPUTotalNs = uint64(usec) * 1000
		}
		return u
	}
	for name, d := range dirs {
		for _, c := range strings.Split(name, ",") {
			switch c {
			case "memory":
				u.MemoryUsage = number(d, "memory.usage_in_bytes")
				u.MemoryPeak = number(d, "memory.max_usage_in_bytes")
				if u.MemoryLimit = number(d, "memory.limit_in_bytes"); u.MemoryLimit >= 1<<62 {
					u.MemoryLimit = -1 // v1's "no limit" is a page-rounded int64 max
				}
			case "pids":
				u.PidsCurrent = number(d, "pids.current")
				u.PidsLimit = number(d, "pids.max")
			case "cpuacct":
				u.CPUTotalNs = uint64(max(0, number(d, "cpuacct.usage")))
			}
		}
	}
	return u
}

// number reads a one-number file: "max" is -1, a missing file 0.
func number(dir, file string) int64 {
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return 0
	}
	s := strings.TrimSpace(string(b))
	if s == "max" {
		return -1
	}
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
