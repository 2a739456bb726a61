package cgroups

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Apply writes the limits asked for; a limit whose controller the
// container's cgroup lacks (cgroup.controllers) is an error that names
// both.
func (m *v2) Apply(r Resources) error {
	for _, set := range []func(Resources) error{
		m.setMemory, m.setCPU, m.setCpuset, m.setPids, m.setIO, m.setHugetlb, m.setNetwork,
	} {
		if err := set(r); err != nil {
			return err
		}
	}
	if len(r.Devices) > 0 {
		if err := attachDeviceFilter(m.dir, r.Devices); err != nil {
			return err
		}
	}
	return setUnified(m.dir, r.Unified)
}

// need checks that the container's cgroup has controller.
func (m *v2) need(controller, field string) error {
	if !controllers(m.dir, "cgroup.controllers")[controller] {
		return unavailable(field, controller)
	}
	return nil
}

func (m *v2) setMemory(r Resources) error {
	if r.Swappiness != nil || r.DisableOOMKiller {
		slog.Warn("linux.resources.memory: swappiness and disableOOMKiller are ignored: cgroup v2 has neither")
	}
	if r.Memory == 0 && r.MemoryReservation == 0 {
		return nil
	}
	if err := m.need("memory", "linux.resources.memory"); err != nil {
		return err
	}
	var todo []setting
	if r.Memory != 0 {
		todo = append(todo, setting{"memory.max", maxOr(r.Memory)})
		// Swap is charged separately in v2: none at all (goC's
		// default) keeps the container inside its limit; no memory
		// limit without a swap one is neither (as runc has it).
		if exists(m.dir, "memory.swap.max") {
			swap := "0"
			switch {
			case r.MemorySwap == -1, r.Memory == -1 && r.MemorySwap == 0:
				swap = "max"
			case r.MemorySwap > r.Memory:
				swap = strconv.FormatInt(r.MemorySwap-r.Memory, 10)
			}
			todo = append(todo, setting{"memory.swap.max", swap})
		}
	}
	if r.MemoryReservation != 0 {
		todo = append(todo, setting{"memory.low", maxOr(r.MemoryReservation)})
	}
	return writeAll(m.dir, "memory limit", todo)
}

// maxOr is v2's form of a v1 limit: -1 (none) is "max".
func maxOr(n int64) string {
	if n == -1 {
		return "max"
	}
	return strconv.FormatInt(n, 10)
}

func (m *v2) setCPU(r Resources) error {
	if r.CPURtPeriod != 0 || r.CPURtRuntime != 0 {
		return fmt.Errorf("linux.resources.cpu: cgroup v2 has no realtime limits (realtimePeriod, realtimeRuntime)")
	}
	var todo []setting
	if r.CPUQuota != 0 || r.CPUPeriod != 0 {
		todo = append(todo, setting{"cpu.max", m.cpuMax(r)})
	}
	if r.CPUShares > 0 {
		todo = append(todo, setting{"cpu.weight", strconv.FormatUint(CPUWeight(r.CPUShares), 10)})
	}
	if len(todo) == 0 {
		return nil
	}
	if err := m.need("cpu", "linux.resources.cpu"); err != nil {
		return err
	}
	return writeAll(m.dir, "cpu limit", todo)
}

// cpuMax is cpu.max's "quota period": -1 is "max"; a period alone keeps
// the quota the cgroup has.
func (m *v2) cpuMax(r Resources) string {
	quota := maxOr(r.CPUQuota)
	if r.CPUQuota == 0 {
		b, _ := os.ReadFile(filepath.Join(m.dir, "cpu.max"))
		if quota, _, _ = strings.Cut(strings.TrimSpace(string(b)), " "); quota == "" {
			quota = "max"
		}
	}
	if r.CPUPeriod == 0 {
		return quota
	}
	return fmt.Sprintf("%s %d", quota, r.CPUPeriod)
}

func (m *v2) setCpuset(r Resources) error {
	todo := cpusetSettings(r)
	if len(todo) == 0 {
		return nil
	}
	if err := m.need("cpuset", "linux.resources.cpu"); err != nil {
		return err
	}
	return writeAll(m.dir, "cpuset", todo)
}

func (m *v2) setPids(r Resources) error {
	if r.Pids == 0 {
		return nil
	}
	if err := m.need("pids", "linux.resources.pids"); err != nil {
		return err
	}
	return writeAll(m.dir, "pids limit", []setting{{"pids.max", maxOr(r.Pids)}})
}

// setIO writes the weights to io.bfq.weight where the BFQ scheduler offers
// it (blkio's range), else to io.weight (converted), as runc does; caps go
// to io.max. v2 has no leaf weights.
func (m *v2) setIO(r Resources) error {
	b := r.BlockIO
	if b.empty() {
		return nil
	}
	if err := m.need("io", "linux.resources.blockIO"); err != nil {
		return err
	}
	if b.LeafWeight != 0 {
		return fmt.Errorf("linux.resources.blockIO.leafWeight: cgroup v2 has no leaf weights")
	}
	bfq := exists(m.dir, "io.bfq.weight")
	file, conv := "io.weight", ioWeight
	if bfq {
		file, conv = "io.bfq.weight", func(w uint16) uint64 { return uint64(w) }
	}
	var todo []setting
	if b.Weight != 0 {
		todo = append(todo, setting{file, strconv.FormatUint(conv(b.Weight), 10)})
	}
	for _, w := range b.WeightDevices {
		if w.LeafWeight != 0 {
			return fmt.Errorf("linux.resources.blockIO.weightDevice: cgroup v2 has no leaf weights")
		}
		if w.Weight != 0 {
			todo = append(todo, setting{file, fmt.Sprintf("%d:%d %d", w.Major, w.Minor, conv(w.Weight))})
		}
	}
	for _, t := range b.Throttle {
		todo = append(todo, setting{"io.max", fmt.Sprintf("%d:%d %s=%d", t.Major, t.Minor, t.Kind, t.Rate)})
	}
	return writeAll(m.dir, "block I/O", todo)
}

// ioWeight converts a blkio weight (10–1000) to v2's io.weight (1–10000)
// with runc's formula (500 → 4950).
func ioWeight(w uint16) uint64 {
	if w < 10 {
		return 1
	}
	return 1 + (uint64(w)-10)*9999/990
}

func (m *v2) setHugetlb(r Resources) error {
	if len(r.Hugepages) == 0 {
		return nil
	}
	if err := m.need("hugetlb", "linux.resources.hugepageLimits"); err != nil {
		return err
	}
	todo, err := hugetlbSettings(m.dir, r.Hugepages, "max")
	if err != nil {
		return err
	}
	return writeAll(m.dir, "huge pages", todo)
}

// setNetwork: v2 has no net_cls or net_prio (eBPF programs took their
// place), so any network setting is refused.
func (m *v2) setNetwork(r Resources) error {
	if r.Network.ClassID == 0 && len(r.Network.Priorities) == 0 {
		return nil
	}
	controller := "net_cls"
	if r.Network.ClassID == 0 {
		controller = "net_prio"
	}
	return unavailable("linux.resources.network", controller)
}
