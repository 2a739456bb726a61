// Command goC is stage 2 of the goC container runtime:
//
//	goC run [--memory SIZE] [--cpu N] [--pids N] [flags] <rootfs> <cmd> [args…]
//
// runs cmd as PID 1 of new PID, mount, UTS and IPC namespaces, with rootfs as
// its root directory, in a cgroup that holds it to the limits asked for.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/id"
	"goc.dev/shared/process"
	"goc.dev/shared/pty"
	"goc.dev/stage2/container"
)

const version = "0.2.0-stage2"

const usage = `usage: goC run [flags] <rootfs> <cmd> [args…]

Runs cmd in new PID, mount, UTS and IPC namespaces with rootfs as /, in a
cgroup of its own (v2 or v1, whichever the host runs).

flags:
  --hostname NAME       the container's hostname (default: its 12-character ID)
  -e KEY=VALUE          set an environment variable (repeatable; -e KEY copies goC's)
  -w DIR                working directory inside the container (default /)
  --memory SIZE         memory limit, swap included: 100m, 1g (b, k, m, g; at least 6m)
  --cpu N               CPUs the container may use, fractional: 0.5
  --pids N              most processes and threads at once
  --cgroup-parent NAME  cgroup below which the container's goes (default goC)
  --debug               log what goC does, and the cgroup's counters at the end
`

func main() {
	// The re-exec'd container init must not run any of the CLI below.
	if len(os.Args) > 1 && os.Args[1] == "init" {
		container.Init()
		return
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
	case "-h", "--help", "help":
		fmt.Print(usage)
		return 0
	case "-v", "--version", "version":
		fmt.Printf("goC version %s\n", version)
		return 0
	default:
		return fail(fmt.Errorf("unknown command %q (see goC --help)", args[0]))
	}

	cfg, err := parseRun(args[1:], os.LookupEnv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Print(usage)
		return 0
	}
	if err != nil {
		return fail(err)
	}
	if os.Geteuid() != 0 {
		return fail(errors.New("must run as root: namespaces and mounts need CAP_SYS_ADMIN"))
	}
	if cfg.Tty = pty.IsTerminal(os.Stdin); cfg.Tty {
		cfg.Winsize = pty.Size(os.Stdin)
		cfg.Env = process.MergeEnv([]string{"TERM=xterm"}, cfg.Env...)
	}
	res, err := container.Run(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "goC:", err)
		if res.Status == 0 {
			res.Status = process.StatusRuntimeError
		}
	}
	slog.Debug("container exited", "status", res.Status, "memory_peak", res.Stats.MemoryPeak,
		"oom_kills", res.Stats.OOMKills, "nr_throttled", res.Stats.NrThrottled)
	if res.Stats.OOMKills > 0 {
		fmt.Fprintln(os.Stderr, "goC:", oomMessage(res, cfg.Resources.Memory))
	}
	return res.Status
}

// oomMessage says what the OOM killer did, naming the limit.
func oomMessage(res container.Result, limit int64) string {
	if res.Status == 128+9 {
		return fmt.Sprintf("container killed by the OOM killer: it reached its memory limit of %s", cgroups.FormatBytes(limit))
	}
	return fmt.Sprintf("the OOM killer killed %d process(es) in the container: it reached its memory limit of %s",
		res.Stats.OOMKills, cgroups.FormatBytes(limit))
}

// parseRun turns run's arguments into a container config. getenv resolves
// "-e KEY" without a value.
func parseRun(args []string, getenv func(string) (string, bool)) (container.Config, error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	hostname := fs.String("hostname", "", "")
	cwd := fs.String("w", "/", "")
	parent := fs.String("cgroup-parent", cgroups.DefaultParent, "")
	debug := fs.Bool("debug", false, "")
	var res cgroups.Resources
	fs.Func("memory", "", func(s string) (err error) {
		res.Memory, err = cgroups.ParseMemory(s)
		return err
	})
	fs.Func("cpu", "", func(s string) (err error) {
		res.CPUQuota, res.CPUPeriod, err = cgroups.ParseCPU(s, runtime.NumCPU())
		return err
	})
	fs.Func("pids", "", func(s string) (err error) {
		res.Pids, err = cgroups.ParsePids(s)
		return err
	})
	var env []string
	fs.Func("e", "", func(kv string) error {
		k, v, ok := strings.Cut(kv, "=")
		if k == "" || strings.ContainsRune(kv, 0) {
			return fmt.Errorf("invalid environment variable %q", kv)
		}
		if !ok {
			if v, ok = getenv(k); !ok {
				return nil // as Docker: -e KEY with KEY unset sets nothing
			}
		}
		env = append(env, k+"="+v)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return container.Config{}, err
		}
		return container.Config{}, fmt.Errorf("run: %w (see goC run --help)", err)
	}
	if *debug {
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
	}
	if err := cgroups.ValidateParent(*parent); err != nil {
		return container.Config{}, fmt.Errorf("run: %w", err)
	}
	if fs.NArg() < 2 {
		return container.Config{}, errors.New("run: need a rootfs and a command (see goC run --help)")
	}

	root, err := filepath.Abs(fs.Arg(0))
	if err != nil {
		return container.Config{}, err
	}
	if fi, err := os.Stat(root); err != nil {
		return container.Config{}, fmt.Errorf("rootfs %s: %w", fs.Arg(0), errors.Unwrap(err))
	} else if !fi.IsDir() {
		return container.Config{}, fmt.Errorf("rootfs %s: not a directory", fs.Arg(0))
	}
	if !filepath.IsAbs(*cwd) {
		return container.Config{}, fmt.Errorf("run: working directory %q must be absolute", *cwd)
	}
	cid := id.New()
	if *hostname == "" {
		*hostname = id.Short(cid)
	}
	if len(*hostname) > 64 || strings.ContainsAny(*hostname, "/\x00 ") {
		return container.Config{}, fmt.Errorf("run: invalid hostname %q", *hostname)
	}

	defaults := []string{"PATH=" + process.DefaultPath, "HOME=/root", "HOSTNAME=" + *hostname}
	return container.Config{
		Rootfs:       root,
		Args:         fs.Args()[1:],
		Env:          process.MergeEnv(defaults, env...),
		Cwd:          *cwd,
		Hostname:     *hostname,
		ID:           cid,
		Resources:    res,
		CgroupParent: *parent,
	}, nil
}

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "goC:", err)
	return process.StatusRuntimeError
}
