package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"goc.dev/stage5/api"
)

func TestSizes(t *testing.T) {
	for _, tc := range []struct {
		n             float64
		binary, decim string
	}{
		{0, "0B", "0B"},
		{648, "648B", "648B"},
		{1536, "1.5KiB", "1.54kB"},
		{64 << 20, "64MiB", "67.1MB"},
		{1.5 * (1 << 30), "1.5GiB", "1.61GB"},
	} {
		if got := binarySize(tc.n); got != tc.binary {
			t.Errorf("binarySize(%v) = %q, want %q", tc.n, got, tc.binary)
		}
		if got := decimalSize(tc.n); got != tc.decim {
			t.Errorf("decimalSize(%v) = %q, want %q", tc.n, got, tc.decim)
		}
	}
}

func TestPrintStats(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	busy := api.Stats{ID: "0123456789abcdef", Name: "busy", PreRead: t0, Read: t0.Add(time.Second),
		PreCPU: api.CPUStats{TotalUsage: 1e9}, CPU: api.CPUStats{TotalUsage: 2.5e9},
		Memory:   api.MemoryStats{Usage: 16 << 20, Limit: 64 << 20},
		Pids:     api.PidsStats{Current: 3, Limit: 50},
		Networks: map[string]api.NetworkStats{"eth0": {RxBytes: 1256, TxBytes: 588}}}
	stopped := api.Stats{ID: "fedcba9876543210", Name: "stopped", Read: t0}
	var out bytes.Buffer
	if err := printStats(&out, []api.Stats{busy, stopped}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %    NET I/O         PIDS",
		"0123456789ab   busy      150.00%   16MiB / 64MiB       25.00%   1.26kB / 588B   3",
		"fedcba987654   stopped   0.00%     0B / 0B             0.00%    0B / 0B         0",
	}
	if got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("printStats:\n%s\nwant:\n%s", out.String(), strings.Join(want, "\n"))
	}
}
