// Package spec turns an OCI runtime-spec config.json into what goC does
// with it: a Plan for the container's init (mounts, process, security
// settings) and what the parent sets up around it (namespaces, cgroup,
// limits). A field goC does not support is an error that names it, never
// silently ignored.
package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/creds"
	"goc.dev/shared/hooks"
	"goc.dev/shared/initproc"
	"goc.dev/shared/namespace"
	"goc.dev/shared/pty"
	"goc.dev/shared/rootfs"
	"goc.dev/shared/seccomp"
)

// Mount is one mount(2) the init makes, before it pivots.
type Mount = rootfs.Mount

// Rlimit is one setrlimit(2).
type Rlimit = creds.Rlimit

// Caps are capability sets, by number.
type Caps = creds.Caps

// Plan is what the init does, in order (defined with the init, which
// links none of this package).
type Plan = initproc.Plan

// Runtime is what the parent sets up around the init.
type Runtime struct {
	Namespaces   []namespace.Type          // made new at clone
	Join         map[namespace.Type]string // joined by path (all but user)
	UIDMappings  []specs.LinuxIDMapping    // with a user namespace
	GIDMappings  []specs.LinuxIDMapping
	CgroupParent string
	CgroupName   string
	CgroupBases  map[string]string // v1, a relative path: cgroups.Hierarchies.Rebase
	Resources    cgroups.Resources
	CgroupNS     bool // the init unshares a cgroup namespace once in its cgroup
	NoMountNS    bool // none, new or joined: the container is in goC's, chrooted
	Hooks        *specs.Hooks
}

// Load reads and converts bundle/config.json.
func Load(bundle string) (*specs.Spec, error) {
	f, err := os.Open(filepath.Join(bundle, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w", bundle, err)
	}
	defer f.Close()
	return Parse(f)
}

// Parse decodes a config.json; unknown properties are ignored (decode).
func Parse(r io.Reader) (*specs.Spec, error) {
	c, err := decode[configJSON](r, "config.json")
	if err != nil {
		return nil, fmt.Errorf("config.json: %w", err)
	}
	s, err := c.spec()
	if err != nil {
		return nil, fmt.Errorf("config.json: %w", err)
	}
	return s, nil
}

// configJSON is specs.Spec as Parse decodes it: the sections of the other
// platforms, which goC ignores and a Linux config.json seldom has, are
// kept raw and decoded only when present. encoding/json builds, on the
// first decode of a type, the encoders of every type it reaches, present
// or not: runc's default config.json took 1.36 ms to decode in a fresh
// process (as every create is) into specs.Spec, 1.04 ms into this (medians
// of 40).
type configJSON struct {
	Version     string            `json:"ociVersion"`
	Process     *specs.Process    `json:"process,omitempty"`
	Root        *specs.Root       `json:"root,omitempty"`
	Hostname    string            `json:"hostname,omitempty"`
	Domainname  string            `json:"domainname,omitempty"`
	Mounts      []specs.Mount     `json:"mounts,omitempty"`
	Hooks       *specs.Hooks      `json:"hooks,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Linux       *specs.Linux      `json:"linux,omitempty"`
	Solaris     json.RawMessage   `json:"solaris,omitempty"`
	Windows     json.RawMessage   `json:"windows,omitempty"`
	VM          json.RawMessage   `json:"vm,omitempty"`
	ZOS         json.RawMessage   `json:"zos,omitempty"`
	FreeBSD     json.RawMessage   `json:"freebsd,omitempty"`
}

// spec is c as specs.Spec, its raw sections decoded.
func (c *configJSON) spec() (*specs.Spec, error) {
	s := &specs.Spec{Version: c.Version, Process: c.Process, Root: c.Root, Hostname: c.Hostname,
		Domainname: c.Domainname, Mounts: c.Mounts, Hooks: c.Hooks, Annotations: c.Annotations, Linux: c.Linux}
	var err error
	if s.Solaris, err = decodeRaw[specs.Solaris](c.Solaris, "solaris"); err != nil {
		return nil, err
	}
	if s.Windows, err = decodeRaw[specs.Windows](c.Windows, "windows"); err != nil {
		return nil, err
	}
	if s.VM, err = decodeRaw[specs.VM](c.VM, "vm"); err != nil {
		return nil, err
	}
	if s.ZOS, err = decodeRaw[specs.ZOS](c.ZOS, "zos"); err != nil {
		return nil, err
	}
	if s.FreeBSD, err = decodeRaw[specs.FreeBSD](c.FreeBSD, "freebsd"); err != nil {
		return nil, err
	}
	return s, nil
}

// decodeRaw decodes a raw section (nil if absent or null).
func decodeRaw[T any](b json.RawMessage, what string) (*T, error) {
	if len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	v, err := decode[T](bytes.NewReader(b), "config.json "+what)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return &v, nil
}

// unsupported names a config.json field goC does not support.
func unsupported(field string) error {
	return fmt.Errorf("config.json: %s is not supported by goC", field)
}

// Convert checks s and turns it into a Plan and a Runtime. bundle resolves
// a relative root.path; id names the default cgroup.
func Convert(s *specs.Spec, bundle, id string) (Plan, Runtime, error) {
	var p Plan
	var rt Runtime
	if s.Root == nil || s.Root.Path == "" {
		return p, rt, errors.New("config.json: root.path is required")
	}
	if s.Process == nil {
		return p, rt, errors.New("config.json: process is required")
	}
	if s.Linux == nil {
		return p, rt, errors.New("config.json: linux is required")
	}
	if h := s.Hooks; h != nil {
		for _, k := range []struct {
			kind string
			hs   []specs.Hook
		}{{"prestart", h.Prestart}, {"createRuntime", h.CreateRuntime}, {"createContainer", h.CreateContainer},
			{"startContainer", h.StartContainer}, {"poststart", h.Poststart}, {"poststop", h.Poststop}} {
			if err := hooks.Validate(k.kind, k.hs); err != nil {
				return p, rt, err
			}
		}
		rt.Hooks = h
	}
	root := s.Root.Path
	if !filepath.IsAbs(root) {
		root = filepath.Join(bundle, root)
	}
	if fi, err := os.Stat(root); err != nil {
		return p, rt, fmt.Errorf("config.json: root.path %s: %w", s.Root.Path, errors.Unwrap(err))
	} else if !fi.IsDir() {
		return p, rt, fmt.Errorf("config.json: root.path %s: not a directory", s.Root.Path)
	}
	p.Rootfs, p.RootReadonly, p.Hostname = root, s.Root.Readonly, s.Hostname

	if err := convertProcess(s.Process, &p); err != nil {
		return p, rt, err
	}
	if err := convertLinux(s.Linux, &p, &rt, id); err != nil {
		return p, rt, err
	}
	for i, m := range s.Mounts {
		cm, err := convertMount(m, bundle)
		if err != nil {
			return p, rt, fmt.Errorf("config.json: mounts[%d] (%s): %w", i, m.Destination, err)
		}
		p.Mounts = append(p.Mounts, cm)
	}
	if _, joined := rt.Join[namespace.UTS]; p.Hostname != "" && !joined && !hasNS(rt.Namespaces, namespace.UTS) {
		return p, rt, errors.New("config.json: hostname needs a uts namespace")
	}
	p.Loopback = hasNS(rt.Namespaces, namespace.Network)
	return p, rt, nil
}

// ProcessPlan converts a process alone (goC exec's --process, or a
// config.json's process with exec's flags over it).
func ProcessPlan(pr *specs.Process) (Plan, error) {
	var p Plan
	err := convertProcess(pr, &p)
	return p, err
}

func convertProcess(pr *specs.Process, p *Plan) error {
	switch {
	case len(pr.Args) == 0:
		return errors.New("config.json: process.args must not be empty")
	case pr.Cwd == "" || !filepath.IsAbs(pr.Cwd):
		return fmt.Errorf("config.json: process.cwd %q must be an absolute path", pr.Cwd)
	case pr.ApparmorProfile != "":
		return unsupported("process.apparmorProfile")
	case pr.SelinuxLabel != "":
		return unsupported("process.selinuxLabel")
	case pr.Scheduler != nil:
		return unsupported("process.scheduler")
	case pr.IOPriority != nil:
		return unsupported("process.ioPriority")
	case pr.ExecCPUAffinity != nil:
		return unsupported("process.execCPUAffinity")
	case pr.CommandLine != "":
		return unsupported("process.commandLine")
	}
	p.Args, p.Env, p.Cwd, p.Terminal = pr.Args, pr.Env, pr.Cwd, pr.Terminal
	if cs := pr.ConsoleSize; cs != nil {
		p.ConsoleSize = pty.Winsize{Rows: uint16(min(cs.Height, 0xffff)), Cols: uint16(min(cs.Width, 0xffff))}
	}
	p.UID, p.GID, p.AdditionalGids, p.Umask = pr.User.UID, pr.User.GID, pr.User.AdditionalGids, pr.User.Umask
	p.NoNewPrivileges, p.OOMScoreAdj = pr.NoNewPrivileges, pr.OOMScoreAdj
	for _, r := range pr.Rlimits {
		res, ok := rlimitNumbers[r.Type]
		if !ok {
			return fmt.Errorf("config.json: process.rlimits: unknown type %q", r.Type)
		}
		if r.Soft > r.Hard {
			return fmt.Errorf("config.json: process.rlimits %s: soft %d above hard %d", r.Type, r.Soft, r.Hard)
		}
		p.Rlimits = append(p.Rlimits, Rlimit{Resource: res, Soft: r.Soft, Hard: r.Hard})
	}
	if c := pr.Capabilities; c != nil {
		var caps Caps
		var err error
		for _, set := range []struct {
			name string
			in   []string
			out  *[]int
		}{
			{"bounding", c.Bounding, &caps.Bounding}, {"effective", c.Effective, &caps.Effective},
			{"permitted", c.Permitted, &caps.Permitted}, {"inheritable", c.Inheritable, &caps.Inheritable},
			{"ambient", c.Ambient, &caps.Ambient},
		} {
			if *set.out, err = CapNumbers(set.in); err != nil {
				return fmt.Errorf("config.json: process.capabilities.%s: %w", set.name, err)
			}
		}
		p.Caps = &caps
	}
	return nil
}

func convertLinux(l *specs.Linux, p *Plan, rt *Runtime, id string) error {
	switch {
	case l.IntelRdt != nil:
		return unsupported("linux.intelRdt")
	case l.MountLabel != "":
		return unsupported("linux.mountLabel")
	case l.Personality != nil:
		return unsupported("linux.personality")
	case l.TimeOffsets != nil:
		return unsupported("linux.timeOffsets")
	case l.MemoryPolicy != nil:
		return unsupported("linux.memoryPolicy")
	}
	if l.Seccomp != nil {
		prog, err := seccomp.Compile(l.Seccomp)
		if err != nil {
			return fmt.Errorf("config.json: %w", err)
		}
		p.Seccomp = prog
	}
	seen := map[namespace.Type]bool{}
	if err := convertNamespaces(l, rt, seen); err != nil {
		return err
	}
	rt.UIDMappings, rt.GIDMappings = l.UIDMappings, l.GIDMappings
	if l.RootfsPropagation != "" {
		f, ok := PropagationFlag(l.RootfsPropagation)
		if !ok {
			return fmt.Errorf("config.json: linux.rootfsPropagation %q is not a propagation type", l.RootfsPropagation)
		}
		p.RootPropagation = f
	}
	for _, d := range l.Devices {
		dev, err := convertDevice(d)
		if err != nil {
			return err
		}
		p.Devices = append(p.Devices, dev)
	}
	p.MaskedPaths, p.ReadonlyPaths = l.MaskedPaths, l.ReadonlyPaths
	for _, path := range append(append([]string(nil), l.MaskedPaths...), l.ReadonlyPaths...) {
		if !filepath.IsAbs(path) {
			return fmt.Errorf("config.json: masked and readonly paths must be absolute: %q", path)
		}
	}
	if err := checkSysctl(l.Sysctl, seen); err != nil {
		return err
	}
	p.Sysctl = l.Sysctl

	var err error
	if rt.CgroupParent, rt.CgroupName, rt.CgroupBases, err = cgroupsPath(l.CgroupsPath, id); err != nil {
		return err
	}
	res := l.Resources
	if res == nil {
		res = &specs.LinuxResources{} // the device cgroup all the same
	}
	if rt.Resources, err = convertResources(res); err != nil {
		return err
	}
	return nil
}

// convertNamespaces sorts linux.namespaces into those made new and those
// joined by path, and marks in seen the types asked for, either way. A mount
// namespace may be missing (the container is then in goC's, chrooted):
// masked and read-only paths would be the host's.
func convertNamespaces(l *specs.Linux, rt *Runtime, seen map[namespace.Type]bool) error {
	for _, ns := range l.Namespaces {
		t := nsTypes[ns.Type]
		switch {
		case ns.Type == specs.TimeNamespace:
			return unsupported("linux.namespaces time")
		case t == "":
			return fmt.Errorf("config.json: linux.namespaces: unknown type %q", ns.Type)
		case ns.Path != "" && t == namespace.User:
			return fmt.Errorf("%w: the kernel lets only a single-threaded process join a user namespace, and goC is a Go program",
				unsupported("linux.namespaces user with a path"))
		case seen[t]:
			return fmt.Errorf("config.json: linux.namespaces: %s given twice", ns.Type)
		}
		seen[t] = true
		switch {
		case ns.Path != "":
			if rt.Join == nil {
				rt.Join = map[namespace.Type]string{}
			}
			rt.Join[t] = ns.Path
		case t == namespace.Cgroup:
			rt.CgroupNS = true // unshared by the init once it is in its cgroup
		default:
			rt.Namespaces = append(rt.Namespaces, t)
		}
	}
	rt.NoMountNS = !seen[namespace.Mount]
	if rt.NoMountNS && len(l.MaskedPaths)+len(l.ReadonlyPaths) > 0 {
		return errors.New("config.json: linux.maskedPaths and linux.readonlyPaths need a mount namespace: without one they are the host's")
	}
	switch {
	case seen[namespace.User] && (len(l.UIDMappings) == 0 || len(l.GIDMappings) == 0):
		return errors.New("config.json: a user namespace needs linux.uidMappings and linux.gidMappings")
	case !seen[namespace.User] && len(l.UIDMappings)+len(l.GIDMappings) > 0:
		return errors.New("config.json: linux.uidMappings and gidMappings need a user namespace")
	}
	return nil
}

var nsTypes = map[specs.LinuxNamespaceType]namespace.Type{
	specs.PIDNamespace: namespace.PID, specs.NetworkNamespace: namespace.Network,
	specs.MountNamespace: namespace.Mount, specs.IPCNamespace: namespace.IPC,
	specs.UTSNamespace: namespace.UTS, specs.UserNamespace: namespace.User,
	specs.CgroupNamespace: namespace.Cgroup,
}

func hasNS(ts []namespace.Type, t namespace.Type) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// checkSysctl allows only sysctls that are namespaced, so that writing
// them cannot change the host.
func checkSysctl(sysctl map[string]string, ns map[namespace.Type]bool) error {
	keys := make([]string, 0, len(sysctl))
	for k := range sysctl {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch {
		case ipcSysctl[k] || strings.HasPrefix(k, "fs.mqueue."):
			if !ns[namespace.IPC] {
				return fmt.Errorf("config.json: linux.sysctl %s needs an ipc namespace", k)
			}
		case strings.HasPrefix(k, "net."):
			if !ns[namespace.Network] {
				return fmt.Errorf("config.json: linux.sysctl %s needs a network namespace", k)
			}
		case k == "kernel.hostname" || k == "kernel.domainname":
			if !ns[namespace.UTS] {
				return fmt.Errorf("config.json: linux.sysctl %s needs a uts namespace", k)
			}
		default:
			return fmt.Errorf("config.json: linux.sysctl %s is not namespaced: setting it would change the host", k)
		}
		if strings.Contains(k, "/") || strings.Contains(k, "..") {
			return fmt.Errorf("config.json: linux.sysctl %q is not a sysctl name", k)
		}
	}
	return nil
}

var ipcSysctl = map[string]bool{
	"kernel.msgmax": true, "kernel.msgmnb": true, "kernel.msgmni": true, "kernel.sem": true,
	"kernel.shmall": true, "kernel.shmmax": true, "kernel.shmmni": true, "kernel.shm_rmid_forced": true,
}

// convertDevice checks one linux.devices entry: a device node made in the
// container's /dev.
func convertDevice(d specs.LinuxDevice) (rootfs.Device, error) {
	types := map[string]uint32{"c": unix.S_IFCHR, "u": unix.S_IFCHR, "b": unix.S_IFBLK, "p": unix.S_IFIFO}
	t, ok := types[d.Type]
	switch {
	case !ok:
		return rootfs.Device{}, fmt.Errorf("config.json: linux.devices %s: type %q is not c, b, u or p", d.Path, d.Type)
	case !strings.HasPrefix(filepath.Clean(d.Path), "/dev/") || strings.Contains(d.Path, ".."):
		return rootfs.Device{}, fmt.Errorf("config.json: linux.devices: %q is not a path under /dev", d.Path)
	}
	dev := rootfs.Device{Path: filepath.Clean(d.Path), Type: t, Major: uint32(d.Major), Minor: uint32(d.Minor), Mode: 0o666}
	if d.FileMode != nil {
		dev.Mode = uint32(*d.FileMode) & 0o7777
	}
	if d.UID != nil {
		dev.UID = *d.UID
	}
	if d.GID != nil {
		dev.GID = *d.GID
	}
	return dev, nil
}

func convertMount(m specs.Mount, bundle string) (Mount, error) {
	if !filepath.IsAbs(m.Destination) {
		return Mount{}, errors.New("destination must be an absolute path")
	}
	if len(m.UIDMappings)+len(m.GIDMappings) > 0 {
		return Mount{}, unsupported("idmapped mounts")
	}
	flags, prop, data := parseMountOptions(m.Options)
	typ := m.Type
	if flags&unix.MS_BIND != 0 || typ == "bind" {
		typ = "bind"
		flags |= unix.MS_BIND
		src := m.Source
		if !filepath.IsAbs(src) {
			src = filepath.Join(bundle, src)
		}
		if _, err := os.Stat(src); err != nil {
			return Mount{}, fmt.Errorf("bind source: %w", err)
		}
		return Mount{Source: src, Destination: m.Destination, Type: typ, Flags: flags, Propagation: prop, Data: data, Attr: recursiveAttr(m.Options)}, nil
	}
	switch typ {
	case "proc", "sysfs", "tmpfs", "devpts", "mqueue", "cgroup", "cgroup2":
	case "":
		return Mount{}, errors.New("type is required (or a bind/rbind option)")
	default:
		return Mount{}, unsupported("mount type " + typ)
	}
	return Mount{Source: m.Source, Destination: m.Destination, Type: typ, Flags: flags, Propagation: prop, Data: data, Attr: recursiveAttr(m.Options)}, nil
}

var rlimitNumbers = map[string]int{
	"RLIMIT_CPU": unix.RLIMIT_CPU, "RLIMIT_FSIZE": unix.RLIMIT_FSIZE, "RLIMIT_DATA": unix.RLIMIT_DATA,
	"RLIMIT_STACK": unix.RLIMIT_STACK, "RLIMIT_CORE": unix.RLIMIT_CORE, "RLIMIT_RSS": unix.RLIMIT_RSS,
	"RLIMIT_NPROC": unix.RLIMIT_NPROC, "RLIMIT_NOFILE": unix.RLIMIT_NOFILE, "RLIMIT_MEMLOCK": unix.RLIMIT_MEMLOCK,
	"RLIMIT_AS": unix.RLIMIT_AS, "RLIMIT_LOCKS": unix.RLIMIT_LOCKS, "RLIMIT_SIGPENDING": unix.RLIMIT_SIGPENDING,
	"RLIMIT_MSGQUEUE": unix.RLIMIT_MSGQUEUE, "RLIMIT_NICE": unix.RLIMIT_NICE, "RLIMIT_RTPRIO": unix.RLIMIT_RTPRIO,
	"RLIMIT_RTTIME": unix.RLIMIT_RTTIME,
}
