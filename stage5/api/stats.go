package api

import "time"

// Stats is one sample of a container's resource usage (GET
// /containers/{id}/stats), in Docker's shape: this sample's counters and,
// as pre*, the sample before, so that a client computes rates (CPU %)
// from one object. A container that is not running has zero counters.
type Stats struct {
	ID       string                  `json:"id"`
	Name     string                  `json:"name"`
	Read     time.Time               `json:"read"`
	PreRead  time.Time               `json:"preread"` // zero: no sample before
	CPU      CPUStats                `json:"cpu_stats"`
	PreCPU   CPUStats                `json:"precpu_stats"`
	Memory   MemoryStats             `json:"memory_stats"`
	Pids     PidsStats               `json:"pids_stats"`
	Networks map[string]NetworkStats `json:"networks,omitempty"` // by interface, lo left out
}

// CPUStats is the CPU time the container's cgroup has used.
type CPUStats struct {
	TotalUsage uint64 `json:"total_usage"` // nanoseconds, all CPUs together
	OnlineCPUs int    `json:"online_cpus"` // the host's
}

// MemoryStats is the memory the container's cgroup is charged for (page
// cache and tmpfs included) and its limit: the host's memory if unlimited.
type MemoryStats struct {
	Usage int64 `json:"usage"`
	Limit int64 `json:"limit"`
}

// PidsStats is the number of tasks in the cgroup and their limit (0: none).
type PidsStats struct {
	Current int64 `json:"current"`
	Limit   int64 `json:"limit,omitempty"`
}

// NetworkStats is an interface's counters, as the container sees them.
type NetworkStats struct {
	RxBytes   uint64 `json:"rx_bytes"`
	RxPackets uint64 `json:"rx_packets"`
	TxBytes   uint64 `json:"tx_bytes"`
	TxPackets uint64 `json:"tx_packets"`
}

// CPUPercent is the container's CPU use between the two samples, as
// Docker computes it: CPU time used over wall time elapsed, × 100. One
// CPU busy is 100 %; with several CPUs it can exceed 100. Without a
// sample before (or a counter that went back: a restart) it is 0.
func (s Stats) CPUPercent() float64 {
	wall := s.Read.Sub(s.PreRead)
	if s.PreRead.IsZero() || wall <= 0 || s.CPU.TotalUsage < s.PreCPU.TotalUsage {
		return 0
	}
	return float64(s.CPU.TotalUsage-s.PreCPU.TotalUsage) / float64(wall.Nanoseconds()) * 100
}

// MemPercent is the memory used as a share of the limit, × 100.
func (s Stats) MemPercent() float64 {
	if s.Memory.Limit <= 0 {
		return 0
	}
	return float64(s.Memory.Usage) / float64(s.Memory.Limit) * 100
}

// NetIO is the bytes received and sent on all the container's interfaces.
func (s Stats) NetIO() (rx, tx uint64) {
	for _, n := range s.Networks {
		rx += n.RxBytes
		tx += n.TxBytes
	}
	return rx, tx
}
