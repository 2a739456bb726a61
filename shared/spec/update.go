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
// say it: a runtime-spec resources JSON (--resources) and the flags below,
// which win over it, as in runc. A zero field is a flag not given.
type Update struct {
	ResourcesFile string // --resources: the JSON's file, "-" for stdin
	Memory        string // --memory: a size (as cgroups.ParseMemory reads it), or -1 for no limit
	MemorySwap    string // --memory-swap: memory and swap together, likewise
	CPUQuota      int64  // --cpu-quota, microseconds per period
	CPUPeriod     uint64 // --cpu-period, microseconds
	CPUShares     uint64 // --cpu-shares
	PidsLimit     int64  // --pids-limit
	unsupported   []string
}

// Flags registers runc update's flags on fs, to fill in u. Those goC does
// not support are accepted by the parser and refused by Resources.
func (u *Update) Flags(fs *flag.FlagSet) {
	fs.StringVar(&u.ResourcesFile, "resources", "", "")
	fs.StringVar(&u.ResourcesFile, "r", "", "")
	fs.StringVar(&u.Memory, "memory", "", "")
	fs.StringVar(&u.MemorySwap, "memory-swap", "", "")
	fs.Int64Var(&u.CPUQuota, "cpu-quota", 0, "")
	fs.Uint64Var(&u.CPUPeriod, "cpu-period", 0, "")
	fs.Uint64Var(&u.CPUShares, "cpu-shares", 0, "")
	fs.Int64Var(&u.PidsLimit, "pids-limit", 0, "")
	for _, name := range []string{"memory-reservation", "kernel-memory", "kernel-memory-tcp", "cpu-rt-period", "cpu-rt-runtime",
		"cpuset-cpus", "cpuset-mems", "blkio-weight", "l3-cache-schema", "mem-bw-schema"} {
		fs.Func(name, "", func(string) error { u.unsupported = append(u.unsupported, name); return nil })
	}
}

// Resources reads the resources JSON (from stdin for "-"), sets the flags
// over it and converts the result as UpdateResources does.
func (u Update) Resources(stdin io.Reader) (cgroups.Resources, error) {
	if len(u.unsupported) > 0 {
		return cgroups.Resources{}, fmt.Errorf("--%s is not supported by goC", u.unsupported[0])
	}
	var lr specs.LinuxResources
	if err := u.readResources(stdin, &lr); err != nil {
		return cgroups.Resources{}, fmt.Errorf("--resources: %w", err)
	}
	if err := u.memory(&lr); err != nil {
		return cgroups.Resources{}, err
	}
	if u.CPUQuota != 0 || u.CPUPeriod != 0 || u.CPUShares != 0 {
		if lr.CPU == nil {
			lr.CPU = &specs.LinuxCPU{}
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
	}
	if u.PidsLimit != 0 {
		lr.Pids = &specs.LinuxPids{Limit: &u.PidsLimit}
	}
	return UpdateResources(&lr)
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

// memory sets --memory and --memory-swap over lr.
func (u Update) memory(lr *specs.LinuxResources) error {
	if u.Memory == "" && u.MemorySwap == "" {
		return nil
	}
	if lr.Memory == nil {
		lr.Memory = &specs.LinuxMemory{}
	}
	for _, f := range []struct {
		val  string
		dest **int64
	}{{u.Memory, &lr.Memory.Limit}, {u.MemorySwap, &lr.Memory.Swap}} {
		if f.val == "" {
			continue
		}
		n, err := cgroups.ParseMemory(f.val)
		if f.val == "-1" {
			n, err = -1, nil
		}
		if err != nil {
			return err
		}
		*f.dest = &n
	}
	return nil
}

// UpdateResources converts the resources of "goC update": as config.json's,
// but devices are left as they are.
func UpdateResources(r *specs.LinuxResources) (cgroups.Resources, error) {
	r2 := *r
	r2.Devices = nil
	out, err := convertResources(&r2, &Plan{})
	out.Devices = nil
	return out, err
}
