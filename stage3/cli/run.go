package cli

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/id"
	"goc.dev/shared/network"
	"goc.dev/shared/process"
	"goc.dev/shared/pty"
	"goc.dev/stage3/container"
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
  --network [MODE]      bridge (the default MODE): its own network namespace on
                        bridge goC0 with an address, a default route and NAT;
                        none: its own namespace with only lo. Without the flag
                        the container shares the host's network.
  -p, --publish H:C[/tcp|/udp]  publish container port C on host port H (bridge)
  --subnet CIDR         the bridge's subnet (default 10.77.0.0/16)
  --bridge NAME         the bridge (default goC0)
  --debug               log what goC does, and the cgroup's counters at the end
`

// cmdRun is goC run: it runs the container its arguments describe and
// returns the status goC exits with.
func cmdRun(args []string) int {
	fs := newFlags("run")
	r := registerRootfsFlags(fs)
	if err := fs.Parse(networkArg(args, isDir)); err != nil {
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
	hostname, cwd, parent, netMode, bridge, subnet *string
	debug                                          *bool
	env                                            []string
	res                                            cgroups.Resources
	ports                                          []network.Port
}

func registerRootfsFlags(fs *flag.FlagSet) *rootfsFlags {
	r := &rootfsFlags{
		hostname: fs.String("hostname", "", ""),
		cwd:      fs.String("w", "/", ""),
		parent:   fs.String("cgroup-parent", cgroups.DefaultParent, ""),
		netMode:  fs.String("network", network.ModeHost, ""),
		bridge:   fs.String("bridge", network.DefaultBridge, ""),
		subnet:   fs.String("subnet", network.DefaultSubnet, ""),
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
	publish := func(s string) error {
		p, err := network.ParsePort(s)
		r.ports = append(r.ports, p)
		return err
	}
	fs.Func("p", "", publish)
	fs.Func("publish", "", publish)
	return r
}

// config builds the container of run's arguments (the rootfs and the
// command) and flags. getenv resolves "-e KEY" without a value.
func (r *rootfsFlags) config(args []string, getenv func(string) (string, bool)) (container.Config, error) {
	var c container.Config
	if err := cgroups.ValidateParent(*r.parent); err != nil {
		return c, fmt.Errorf("run: %w", err)
	}
	netCfg, err := networkConfig(*r.netMode, *r.bridge, *r.subnet, r.ports)
	if err != nil {
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
		Network:      netCfg,
	}, nil
}

// networkArg lets --network stand alone: "--network bridge|none" takes the
// word as its value, "--network ROOTFS" (a directory) means bridge, and any
// other word is taken as a value (and refused by networkConfig).
func networkArg(args []string, isDir func(string) bool) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a != "--network" && a != "-network" {
			out = append(out, a)
			switch {
			case !strings.HasPrefix(a, "-") || a == "--":
				return append(out, args[i+1:]...) // the rootfs: flags end here
			case valueFlags[strings.TrimLeft(a, "-")] && i+1 < len(args):
				i++
				out = append(out, args[i])
			}
			continue
		}
		switch {
		case i+1 < len(args) && (args[i+1] == network.ModeBridge || args[i+1] == network.ModeNone):
			out = append(out, "--network="+args[i+1])
			i++
		case i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") && !isDir(args[i+1]):
			out = append(out, "--network="+args[i+1])
			i++
		default:
			out = append(out, "--network="+network.ModeBridge)
		}
	}
	return out
}

// valueFlags are run's flags that take a separate value.
var valueFlags = map[string]bool{
	"hostname": true, "e": true, "w": true, "memory": true, "cpu": true, "pids": true,
	"cgroup-parent": true, "p": true, "publish": true, "subnet": true, "bridge": true,
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// networkConfig checks the network flags together.
func networkConfig(mode, bridge, subnet string, ports []network.Port) (network.Config, error) {
	cfg := network.Config{Mode: mode, Bridge: bridge, Ports: ports, StateDir: network.DefaultStateDir}
	switch mode {
	case network.ModeHost, network.ModeNone, network.ModeBridge:
	default:
		return cfg, fmt.Errorf("--network %q: use bridge or none", mode)
	}
	if len(ports) > 0 && mode != network.ModeBridge {
		return cfg, errors.New("-p needs --network (bridge): there is nothing to publish from the host's or no network")
	}
	p, err := netip.ParsePrefix(subnet)
	if err != nil || !p.Addr().Is4() || p.Bits() > 30 || p.Bits() < 8 {
		return cfg, fmt.Errorf("--subnet %q: need an IPv4 subnet between /8 and /30, such as 10.77.0.0/16", subnet)
	}
	cfg.Subnet = p.Masked()
	if len(bridge) > 15 || id.Validate(bridge) != nil || strings.ContainsAny(bridge, "+.") {
		return cfg, fmt.Errorf("--bridge %q: not a valid interface name", bridge)
	}
	seen := map[string]bool{}
	for _, p := range ports {
		k := fmt.Sprintf("%d/%s", p.Host, p.Proto)
		if seen[k] {
			return cfg, fmt.Errorf("-p: host port %s published twice", k)
		}
		seen[k] = true
	}
	return cfg, nil
}
