// Command goC is stage 3 of the goC container runtime:
//
//	goC run [--network [bridge|none]] [-p HOST:CTR]… [limits] [flags] <rootfs> <cmd> [args…]
//
// runs cmd as PID 1 of new PID, mount, UTS and IPC namespaces, with rootfs as
// its root directory, in a cgroup that holds it to the limits asked for, and
// with --network in a network namespace of its own.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
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

const version = "0.3.0-stage3"

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
  --network [MODE]      bridge (the default MODE): its own network namespace on
                        bridge goC0 with an address, a default route and NAT;
                        none: its own namespace with only lo. Without the flag
                        the container shares the host's network.
  -p, --publish H:C[/tcp|/udp]  publish container port C on host port H (bridge)
  --subnet CIDR         the bridge's subnet (default 10.77.0.0/16)
  --bridge NAME         the bridge (default goC0)
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

	cfg, err := parseRun(networkArg(args[1:], isDir), os.LookupEnv)
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
	netMode := fs.String("network", network.ModeHost, "")
	bridge := fs.String("bridge", network.DefaultBridge, "")
	subnet := fs.String("subnet", network.DefaultSubnet, "")
	var ports []network.Port
	publish := func(s string) error {
		p, err := network.ParsePort(s)
		ports = append(ports, p)
		return err
	}
	fs.Func("p", "", publish)
	fs.Func("publish", "", publish)
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
	netCfg, err := networkConfig(*netMode, *bridge, *subnet, ports)
	if err != nil {
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

func fail(err error) int {
	fmt.Fprintln(os.Stderr, "goC:", err)
	return process.StatusRuntimeError
}
