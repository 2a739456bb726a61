package api

import (
	"testing"
	"time"
)

func TestStatsCPUPercent(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sample := func(pre, cur uint64, wall time.Duration) Stats {
		return Stats{PreRead: t0, Read: t0.Add(wall), PreCPU: CPUStats{TotalUsage: pre}, CPU: CPUStats{TotalUsage: cur}}
	}
	for _, tc := range []struct {
		name string
		s    Stats
		want float64
	}{
		{"idle", sample(5e9, 5e9, time.Second), 0},
		{"one CPU busy", sample(1e9, 2e9, time.Second), 100},
		{"half a CPU", sample(0, 250e6, 500*time.Millisecond), 50},
		{"two CPUs busy: over 100", sample(0, 4e9, 2*time.Second), 200},
		{"no sample before", Stats{Read: t0, CPU: CPUStats{TotalUsage: 9e9}}, 0},
		{"no time between", sample(1, 2, 0), 0},
		{"counter went back (restarted)", sample(9e9, 1e9, time.Second), 0},
	} {
		if got := tc.s.CPUPercent(); got != tc.want {
			t.Errorf("%s: CPUPercent = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestStatsMemPercentAndNetIO(t *testing.T) {
	s := Stats{Memory: MemoryStats{Usage: 16 << 20, Limit: 64 << 20}, Networks: map[string]NetworkStats{
		"eth0": {RxBytes: 100, TxBytes: 10}, "eth1": {RxBytes: 1, TxBytes: 2},
	}}
	if got := s.MemPercent(); got != 25 {
		t.Errorf("MemPercent = %v, want 25", got)
	}
	if rx, tx := s.NetIO(); rx != 101 || tx != 12 {
		t.Errorf("NetIO = %d, %d, want 101, 12", rx, tx)
	}
	if got := (Stats{}).MemPercent(); got != 0 {
		t.Errorf("MemPercent without a limit = %v, want 0", got)
	}
}
