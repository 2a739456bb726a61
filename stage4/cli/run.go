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
	"goc.dev/shared/confine"
	"goc.dev/shared/id"
	"goc.dev/shared/image"
	"goc.dev/shared/logging"
	"goc.dev/shared/mounts"
	"goc.dev/shared/namespace"
	"goc.dev/shared/network"
	"goc.dev/shared/process"
	"goc.dev/shared/pty"
	"goc.dev/shared/rootfs"
	"goc.dev/shared/spec"
	"goc.dev/stage4/container"
)

const runUsage = `usage: goC run [flags] <rootfs> <cmd> [args…]
       goC run [--bundle DIR] [--pid-file F] [--console-socket S] [-d] ID

Runs cmd in new PID, mount, UTS and IPC namespaces with rootfs as /, in a
cgroup of its own (v2 or v1, whichever the host runs).

<rootfs> may be an image's name instead (goC image ls). The second form runs
the bundle's config.json as runc run does; both go through the same create,
start and delete.

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
  --id ID               the container's ID (default: a new random one)

Confined as Docker's default: its capabilities and seccomp profile, the
host's /proc knobs masked or read-only, /sys read-only, the device cgroup.
  --privileged          every capability and device, no seccomp, nothing masked
  --cap-add, --cap-drop CAP  add or drop a capability (repeatable; ALL)
  --security-opt seccomp=unconfined|FILE, --security-opt no-new-privileges
  --read-only           the rootfs read-only
  --user UID[:GID]      run as UID (GID 0 unless given); of an image: its User, or NAME[:GROUP]
  -v, --volume HOST:CTR[:ro], --mount type=bind|tmpfs,…, --tmpfs CTR[:OPTS]  as Docker's
`

// cmdRun is goC run: it runs the container its arguments describe and
// returns the status goC exits with.
func cmdRun(g *Globals, args []string) int {
	return Run(g, args, nil).Status
}

// Run is goC run for a caller that wants more than the status: how the
// container ended, with Status the status goC exits with. edit, if not
// nil, sees the options of the rootfs form before the container is created
// (stage 5's shim follows the container through them).
func Run(g *Globals, args []string, edit func(*container.Options)) (res container.Result) {
	fs := newFlags("run")
	var b bundleFlags
	b.register(fs)
	detach, keep := fs.Bool("detach", false, ""), fs.Bool("keep", false, "")
	fs.BoolVar(detach, "d", false, "")
	r := registerRootfsFlags(fs)
	// fail reports err, which stopped goC before the container ran: 125 as
	// Docker's run (the rootfs form), 1 as runc's (the bundle form).
	failed := process.StatusRuntimeError
	fail := func(err error) container.Result { return container.Result{Status: logging.Fail(err, failed)} }
	if err := fs.Parse(networkArg(args, isDir)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Print(runUsage)
			return container.Result{}
		}
		return fail(fmt.Errorf("run: %w (see goC run --help)", err))
	}
	if *r.debug {
		_, _ = logging.Setup(logging.Options{Format: "text", Debug: true}) // on stderr
	}

	var o container.Options
	var err error
	rootfsForm := !isBundleRun(fs.Args())
	if rootfsForm {
		o, err = r.options(g, fs.Args(), os.LookupEnv)
		o.Foreground = true
	} else {
		failed = 1
		o, err = b.options(g, fs.Arg(0))
		o.Foreground, o.Keep = !*detach, *keep
	}
	if err != nil {
		return fail(err)
	}
	if os.Geteuid() != 0 {
		return fail(errors.New("must run as root: namespaces and mounts need CAP_SYS_ADMIN"))
	}
	if edit != nil && rootfsForm {
		edit(&o)
	}
	res, err = container.Run(o)
	if err != nil {
		logging.Error(err)
		if res.Status == 0 {
			res.Status = container.ExitStatus(err)
		}
		if res.Status == process.StatusRuntimeError {
			res.Status = failed
		}
	}
	slog.Debug("container exited", "status", res.Status, "memory_peak", res.Stats.MemoryPeak,
		"oom_kills", res.Stats.OOMKills, "nr_throttled", res.Stats.NrThrottled)
	if res.Stats.OOMKills > 0 {
		fmt.Fprintln(os.Stderr, "goC:", oomMessage(res, o.Runtime.Resources.Memory))
	}
	return res
}

// isBundleRun tells run's two forms apart: one argument that is not a path
// is a container ID (bundle form); a rootfs comes with a command.
func isBundleRun(positional []string) bool {
	return len(positional) == 1 && !strings.Contains(positional[0], "/") && !isDir(positional[0])
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
	id                                             *string
	debug                                          *bool
	env                                            []string
	res                                            cgroups.Resources
	ports                                          []network.Port
	confine                                        confine.Options
	mounts                                         mounts.Options
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
		id:       fs.String("id", "", ""),
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
	r.confine.Register(fs)
	r.mounts.Register(fs)
	return r
}

// options builds the container of the rootfs form: the namespaces, mounts
// and environment of stages 1–3, confined as Docker's (package confine).
func (r *rootfsFlags) options(g *Globals, args []string, getenv func(string) (string, bool)) (container.Options, error) {
	var c container.Options
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
	if *r.id != "" {
		if err := id.Validate(*r.id); err != nil {
			return c, err
		}
		cid = *r.id
	}
	root, err := filepath.Abs(args[0])
	if err != nil {
		return c, err
	}
	var img *image.Image
	var overlay *rootfs.Overlay
	layer := ""
	if fi, err := os.Stat(root); err == nil && !fi.IsDir() {
		return c, fmt.Errorf("rootfs %s: not a directory", args[0])
	} else if err != nil {
		// Not a directory: an image, if the store has one by that name.
		store := image.Store{Root: g.DataRoot}
		if img, err = store.Get(args[0]); err != nil {
			return c, image.Refusal(args[0], err)
		}
		layer, overlay = store.Layer(img, cid)
		root = filepath.Join(layer, "merged")
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
	if img != nil {
		defaults = process.MergeEnv(defaults, img.Env...)
	}
	tty := pty.IsTerminal(os.Stdin)
	if tty {
		defaults = append(defaults, "TERM=xterm")
	}
	plan := spec.Plan{
		Rootfs: root, Hostname: hostname, Overlay: overlay, Mounts: rootfs.DefaultMounts(),
		Args: args[1:], Env: process.MergeEnv(defaults, env...), Cwd: *r.cwd, Terminal: tty,
	}
	rt := spec.Runtime{
		Namespaces:   []namespace.Type{namespace.PID, namespace.Mount, namespace.UTS, namespace.IPC},
		CgroupParent: *r.parent, CgroupName: cid, Resources: r.res,
	}
	if err := r.confine.ApplyImage(image.Store{Root: g.DataRoot}, img, &plan, &rt); err != nil {
		return c, fmt.Errorf("run: %w", err)
	}
	if err := r.mounts.Apply(&plan); err != nil {
		return c, fmt.Errorf("run: %w", err)
	}
	c = container.Options{ID: cid, Root: g.Root, Plan: plan, Runtime: rt, Network: netCfg, Layer: layer}
	if img != nil {
		c.Image = img.Name
	}
	return c, nil
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
	"hostname": true, "id": true, "e": true, "w": true, "memory": true, "cpu": true, "pids": true,
	"cgroup-parent": true, "p": true, "publish": true, "subnet": true, "bridge": true,
	"bundle": true, "b": true, "pid-file": true, "console-socket": true, "preserve-fds": true,
	"cap-add": true, "cap-drop": true, "security-opt": true, "user": true, // confine.ValueFlags
	"v": true, "volume": true, "mount": true, "tmpfs": true, // mounts.ValueFlags
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
