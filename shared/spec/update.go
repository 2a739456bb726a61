package spec

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/cgroups"
)

// Update is what "goC update" is asked to change, as runc update's flags
// say it: a runtime-spec resources JSON (--resources) and the flags below.
// runc ignores the flags when --resources is given; goC sets them over it.
// A zero field is a flag not given.
type Update struct {
	ResourcesFile     string // --resources: the JSON's file, "-" for stdin
	Memory            string // --memory: a size (as cgroups.ParseMemory reads it), or -1 for no limit
	MemorySwap        string // --memory-swap: memory and swap together, likewise
	MemoryReservation string // --memory-reservation: a size (cgroups.ParseSize), or -1
	KernelMemory      string // --kernel-memory, --kernel-memory-tcp: ignored, as runc ignores them
	KernelMemoryTCP   string
	CPUQuota          int64  // --cpu-quota, microseconds per period
	CPUPeriod         uint64 // --cpu-period, microseconds
	CPURtPeriod       uint64 // --cpu-rt-period, microseconds (cgroup v1)
	CPURtRuntime      int64  // --cpu-rt-runtime, microseconds per CPURtPeriod
	CPUShares         uint64 // --cpu-share (runc's spelling) or --cpu-shares
	CPUs, Mems        string // --cpuset-cpus, --cpuset-mems
	BlkioWeight       uint64 // --blkio-weight, 10–1000
	PidsLimit         int64  // --pids-limit
	unsupported       []string
}

// Flags registers runc update's flags on fs, to fill in u. Those goC does
// not support (Intel RDT's) are accepted by the parser and refused by
// Resources.
func (u *Update) Flags(fs *flag.FlagSet) {
	fs.StringVar(&u.ResourcesFile, "resources", "", "")
	fs.StringVar(&u.ResourcesFile, "r", "", "")
	for name, dest := range map[string]*string{
		"memory": &u.Memory, "memory-swap": &u.MemorySwap, "memory-reservation": &u.MemoryReservation,
		"kernel-memory": &u.KernelMemory, "kernel-memory-tcp": &u.KernelMemoryTCP, "cpuset-cpus": &u.CPUs, "cpuset-mems": &u.Mems,
	} {
		fs.StringVar(dest, name, "", "")
	}
	fs.Int64Var(&u.CPUQuota, "cpu-quota", 0, "")
	fs.Uint64Var(&u.CPUPeriod, "cpu-period", 0, "")
	fs.Uint64Var(&u.CPUShares, "cpu-shares", 0, "")
	fs.Uint64Var(&u.CPUShares, "cpu-share", 0, "")
	fs.Uint64Var(&u.BlkioWeight, "blkio-weight", 0, "")
	fs.Int64Var(&u.PidsLimit, "pids-limit", 0, "")
	fs.Uint64Var(&u.CPURtPeriod, "cpu-rt-period", 0, "")
	fs.Int64Var(&u.CPURtRuntime, "cpu-rt-runtime", 0, "")
	for _, name := range []string{"l3-cache-schema", "mem-bw-schema"} {
		fs.Func(name, "", func(string) error { u.unsupported = append(u.unsupported, name); return nil })
	}
}

// Resources reads the resources JSON (from stdin for "-"), sets the flags
// over it and converts the result as UpdateResources does.
func (u Update) Resources(stdin io.Reader) (cgroups.Resources, error) {
	if len(u.unsupported) > 0 {
		return cgroups.Resources{}, fmt.Errorf("--%s: Intel RDT (resctrl) is not supported by goC", u.unsupported[0])
	}
	var lr specs.LinuxResources
	if err := u.readResources(stdin, &lr); err != nil {
		return cgroups.Resources{}, fmt.Errorf("--resources: %w", err)
	}
	if err := u.memory(&lr); err != nil {
		return cgroups.Resources{}, err
	}
	u.cpu(&lr)
	if u.BlkioWeight > 1000 {
		return cgroups.Resources{}, fmt.Errorf("--blkio-weight %d: not between 10 and 1000", u.BlkioWeight)
	}
	if u.BlkioWeight != 0 {
		if lr.BlockIO == nil {
			lr.BlockIO = &specs.LinuxBlockIO{}
		}
		w := uint16(u.BlkioWeight)
		lr.BlockIO.Weight = &w
	}
	if u.PidsLimit != 0 {
		lr.Pids = &specs.LinuxPids{Limit: &u.PidsLimit}
	}
	return UpdateResources(&lr)
}

// cpu sets the CPU flags over lr.
func (u Update) cpu(lr *specs.LinuxResources) {
	if u.CPUQuota == 0 && u.CPUPeriod == 0 && u.CPUShares == 0 && u.CPUs == "" && u.Mems == "" && u.CPURtPeriod == 0 && u.CPURtRuntime == 0 {
		return
	}
	if lr.CPU == nil {
		lr.CPU = &specs.LinuxCPU{}
	}
	if u.CPURtPeriod != 0 {
		lr.CPU.RealtimePeriod = &u.CPURtPeriod
	}
	if u.CPURtRuntime != 0 {
		lr.CPU.RealtimeRuntime = &u.CPURtRuntime
	}
	if u.CPUQuota != 0 {
		lr.CPU.Quota = &u.CPUQuota
	}
	if u.CPUPeriod != 0 {
		lr.CPU.Period = &u.CPUPeriod
	}
	if u.CPUShares != 0 {
		lr.CPU.Shares = &u.CPUShares
	}
	if u.CPUs != "" {
		lr.CPU.Cpus = u.CPUs
	}
	if u.Mems != "" {
		lr.CPU.Mems = u.Mems
	}
}

// readResources decodes --resources into lr, if it is given.
func (u Update) readResources(stdin io.Reader, lr *specs.LinuxResources) error {
	if u.ResourcesFile == "" {
		return nil
	}
	in := stdin
	if u.ResourcesFile != "-" {
		f, err := os.Open(u.ResourcesFile)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	return json.NewDecoder(in).Decode(lr)
}

// memory sets the memory flags over lr: sizes, or -1 for none; a memory
// limit (with swap or without) of at least cgroups.MinMemory.
func (u Update) memory(lr *specs.LinuxResources) error {
	for _, f := range []struct {
		flag, val string
		limit     bool
		dest      func(*specs.LinuxMemory) **int64
	}{
		{"memory", u.Memory, true, func(m *specs.LinuxMemory) **int64 { return &m.Limit }},
		{"memory-swap", u.MemorySwap, true, func(m *specs.LinuxMemory) **int64 { return &m.Swap }},
		{"memory-reservation", u.MemoryReservation, false, func(m *specs.LinuxMemory) **int64 { return &m.Reservation }},
		{"kernel-memory", u.KernelMemory, false, func(m *specs.LinuxMemory) **int64 { return &m.Kernel }},
		{"kernel-memory-tcp", u.KernelMemoryTCP, false, func(m *specs.LinuxMemory) **int64 { return &m.KernelTCP }},
	} {
		if f.val == "" {
			continue
		}
		n, err := cgroups.ParseSize(f.val)
		switch {
		case f.val == "-1":
			n, err = -1, nil
		case err == nil && f.limit && n < cgroups.MinMemory:
			err = fmt.Errorf("%q: below the minimum of 6m a container needs to start", f.val)
		}
		if err != nil {
			return fmt.Errorf("--%s %w", f.flag, err)
		}
		if lr.Memory == nil {
			lr.Memory = &specs.LinuxMemory{}
		}
		*f.dest(lr.Memory) = &n
	}
	return nil
}

// UpdateResources converts the resources of "goC update": as config.json's,
// but devices are left as they are.
func UpdateResources(r *specs.LinuxResources) (cgroups.Resources, error) {
	r2 := *r
	r2.Devices = nil
	out, err := convertResources(&r2)
	out.Devices = nil
	return out, err
}
