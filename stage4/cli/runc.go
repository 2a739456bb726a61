package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/spec"
	"goc.dev/stage4/container"
)

// The verbs below are runc's, for container managers: ps, update, events,
// features, checkpoint (answered, not done) and the --version lines.

// printVersion prints runc's --version layout (Docker parses it).
func printVersion(version string) {
	commit := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				commit = s.Value
			}
		}
	}
	fmt.Printf("goC version %s\ncommit: %s\nspec: %s\ngo: %s\n", version, commit, specs.Version, runtime.Version())
}

// cmdPs lists the container's processes: host PIDs (--format json, as
// containerd asks) or a table.
func cmdPs(g *Globals, args []string) error {
	fs := newFlags("ps")
	format := fs.String("format", "table", "")
	fs.StringVar(format, "f", "table", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() < 1 {
		return errors.New("ps: need a container ID")
	}
	pids, err := container.Pids(g.Root, fs.Arg(0))
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		b, _ := json.Marshal(pids)
		fmt.Println(string(b))
	case "table":
		w := tabwriter.NewWriter(os.Stdout, 6, 1, 2, ' ', 0)
		fmt.Fprintln(w, "PID\tCMD")
		for _, pid := range pids {
			cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			fmt.Fprintf(w, "%d\t%s\n", pid, strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " ")))
		}
		return w.Flush()
	default:
		return fmt.Errorf("ps: --format %q: use table or json", *format)
	}
	return nil
}

// cmdUpdate changes a running container's limits, from flags or a
// runtime-spec resources JSON (--resources FILE, "-" for stdin).
func cmdUpdate(g *Globals, args []string) error {
	fs := newFlags("update")
	resources := fs.String("resources", "", "")
	fs.StringVar(resources, "r", "", "")
	memory := fs.String("memory", "", "")
	swap := fs.String("memory-swap", "", "")
	quota := fs.Int64("cpu-quota", 0, "")
	period := fs.Uint64("cpu-period", 0, "")
	shares := fs.Uint64("cpu-shares", 0, "")
	pids := fs.Int64("pids-limit", 0, "")
	var unsupported []string
	for _, f := range []string{"memory-reservation", "kernel-memory", "kernel-memory-tcp", "cpu-rt-period", "cpu-rt-runtime",
		"cpuset-cpus", "cpuset-mems", "blkio-weight", "l3-cache-schema", "mem-bw-schema"} {
		name := f
		fs.Func(name, "", func(string) error { unsupported = append(unsupported, name); return nil })
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("update: need exactly one container ID")
	}
	if len(unsupported) > 0 {
		return fmt.Errorf("update: --%s is not supported by goC", unsupported[0])
	}
	var r specs.LinuxResources
	if *resources != "" {
		var in io.Reader = os.Stdin
		if *resources != "-" {
			f, err := os.Open(*resources)
			if err != nil {
				return fmt.Errorf("update: --resources: %w", err)
			}
			defer f.Close()
			in = f
		}
		if err := json.NewDecoder(in).Decode(&r); err != nil {
			return fmt.Errorf("update: --resources: %w", err)
		}
	}
	// Flags win over the JSON, as in runc.
	if *memory != "" || *swap != "" {
		if r.Memory == nil {
			r.Memory = &specs.LinuxMemory{}
		}
		for _, f := range []struct {
			val  string
			dest **int64
		}{{*memory, &r.Memory.Limit}, {*swap, &r.Memory.Swap}} {
			if f.val == "" {
				continue
			}
			n, err := cgroups.ParseMemory(f.val)
			if f.val == "-1" {
				n, err = -1, nil
			}
			if err != nil {
				return fmt.Errorf("update: %w", err)
			}
			*f.dest = &n
		}
	}
	if *quota != 0 || *period != 0 || *shares != 0 {
		if r.CPU == nil {
			r.CPU = &specs.LinuxCPU{}
		}
		if *quota != 0 {
			r.CPU.Quota = quota
		}
		if *period != 0 {
			r.CPU.Period = period
		}
		if *shares != 0 {
			r.CPU.Shares = shares
		}
	}
	if *pids != 0 {
		r.Pids = &specs.LinuxPids{Limit: pids}
	}
	res, err := spec.UpdateResources(&r)
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	return container.Update(g.Root, fs.Arg(0), res)
}

// event is one line of "goC events": runc's shape, so that tools that read
// runc's read goC's.
type event struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Data any    `json:"data,omitempty"`
}

type stats struct {
	CPU struct {
		Usage struct {
			Total uint64 `json:"total"`
		} `json:"usage"`
	} `json:"cpu"`
	Memory struct {
		Usage struct {
			Usage int64 `json:"usage"`
			Max   int64 `json:"max"`
			Limit int64 `json:"limit"`
		} `json:"usage"`
	} `json:"memory"`
	Pids struct {
		Current int64 `json:"current"`
		Limit   int64 `json:"limit"`
	} `json:"pids"`
}

// cmdEvents prints the container's statistics as JSON lines: once with
// --stats, else every --interval, with an "oom" event whenever the OOM
// killer struck, until the container stops.
func cmdEvents(g *Globals, args []string) error {
	fs := newFlags("events")
	once := fs.Bool("stats", false, "")
	interval := fs.Duration("interval", 5*time.Second, "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("events: need exactly one container ID")
	}
	if *interval <= 0 {
		return errors.New("events: --interval must be positive")
	}
	id := fs.Arg(0)
	enc := json.NewEncoder(os.Stdout)
	var ooms int64
	for first := true; ; first = false {
		u, st, err := container.Usage(g.Root, id)
		if err != nil {
			if first {
				return err
			}
			return nil // it stopped
		}
		if st.OOMKills > ooms && !first {
			_ = enc.Encode(event{Type: "oom", ID: id})
		}
		ooms = st.OOMKills
		var s stats
		s.CPU.Usage.Total = u.CPUTotalNs
		s.Memory.Usage.Usage, s.Memory.Usage.Max, s.Memory.Usage.Limit = u.MemoryUsage, u.MemoryPeak, u.MemoryLimit
		s.Pids.Current, s.Pids.Limit = u.PidsCurrent, u.PidsLimit
		if err := enc.Encode(event{Type: "stats", ID: id, Data: s}); err != nil || *once {
			return err
		}
		time.Sleep(*interval)
	}
}

const checkpointUsage = `usage: goC checkpoint [flags] ID

checkpoint saves a running container to disk (CRIU). goC does not
support it: the command exists so that managers probing for it get an
answer, and fails.
`

func cmdCheckpoint(verb string, args []string) error {
	for _, a := range args {
		if a == "--help" || a == "-h" {
			fmt.Print(strings.Replace(checkpointUsage, "checkpoint", verb, 2))
			return nil
		}
	}
	return fmt.Errorf("%s is not supported by goC", verb)
}
