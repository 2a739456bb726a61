package cli

import (
	"errors"
	"flag"
	"fmt"
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

const runUsage = `usage: goC run [flags] <rootfs> <cmd> [args…]

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

// cmdRun is goC run: it runs the container its arguments describe and
// returns the status goC exits with.
func cmdRun(args []string) int {
	fs := newFlags("run")
	r := registerRootfsFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Print(runUsage)
			return 0
		}
		return fail(fmt.Errorf("run: %w (see goC run --help)", err))
	}
	if *r.debug {
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})))
	}

	cfg, err := r.config(fs.Args(), os.LookupEnv)
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
		fail(err)
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
	l := "its memory limit"
	if limit > 0 {
		l += " of " + cgroups.FormatBytes(limit)
	}
	if res.Status == 128+9 {
		return "container killed by the OOM killer: it reached " + l
	}
	return fmt.Sprintf("the OOM killer killed %d process(es) in the container: it reached %s", res.Stats.OOMKills, l)
}

// rootfsFlags are run's flags: what to make of the rootfs.
type rootfsFlags struct {
	hostname, cwd, parent *string
	debug                 *bool
	env                   []string
	res                   cgroups.Resources
}

func registerRootfsFlags(fs *flag.FlagSet) *rootfsFlags {
	r := &rootfsFlags{
		hostname: fs.String("hostname", "", ""),
		cwd:      fs.String("w", "/", ""),
		parent:   fs.String("cgroup-parent", cgroups.DefaultParent, ""),
		debug:    fs.Bool("debug", false, ""),
	}
	fs.Func("e", "", func(kv string) error {
		k, _, _ := strings.Cut(kv, "=")
		if k == "" || strings.ContainsRune(kv, 0) {
			return fmt.Errorf("invalid environment variable %q", kv)
		}
		r.env = append(r.env, kv)
		return nil
	})
	fs.Func("memory", "", func(s string) (err error) {
		r.res.Memory, err = cgroups.ParseMemory(s)
		return err
	})
	fs.Func("cpu", "", func(s string) (err error) {
		r.res.CPUQuota, r.res.CPUPeriod, err = cgroups.ParseCPU(s, runtime.NumCPU())
		return err
	})
	fs.Func("pids", "", func(s string) (err error) {
		r.res.Pids, err = cgroups.ParsePids(s)
		return err
	})
	return r
}

// config builds the container of run's arguments (the rootfs and the
// command) and flags. getenv resolves "-e KEY" without a value.
func (r *rootfsFlags) config(args []string, getenv func(string) (string, bool)) (container.Config, error) {
	var c container.Config
	if err := cgroups.ValidateParent(*r.parent); err != nil {
		return c, fmt.Errorf("run: %w", err)
	}
	if len(args) < 2 {
		return c, errors.New("run: need a rootfs and a command (see goC run --help)")
	}
	cid := id.New()
	root, err := filepath.Abs(args[0])
	if err != nil {
		return c, err
	}
	if fi, err := os.Stat(root); err == nil && !fi.IsDir() {
		return c, fmt.Errorf("rootfs %s: not a directory", args[0])
	} else if err != nil {
		return c, fmt.Errorf("rootfs %s: %w", args[0], errors.Unwrap(err))
	}
	if !filepath.IsAbs(*r.cwd) {
		return c, fmt.Errorf("run: working directory %q must be absolute", *r.cwd)
	}
	hostname := *r.hostname
	if hostname == "" {
		hostname = id.Short(cid)
	}
	if len(hostname) > 64 || strings.ContainsAny(hostname, "/\x00 ") {
		return c, fmt.Errorf("run: invalid hostname %q", hostname)
	}
	var env []string
	for _, kv := range r.env {
		if !strings.Contains(kv, "=") { // as Docker: -e KEY copies goC's value, if any
			v, ok := getenv(kv)
			if !ok {
				continue
			}
			kv += "=" + v
		}
		env = append(env, kv)
	}
	defaults := []string{"PATH=" + process.DefaultPath, "HOME=/root", "HOSTNAME=" + hostname}
	return container.Config{
		Rootfs:       root,
		Args:         args[1:],
		Env:          process.MergeEnv(defaults, env...),
		Cwd:          *r.cwd,
		Hostname:     hostname,
		ID:           cid,
		Resources:    r.res,
		CgroupParent: *r.parent,
	}, nil
}
