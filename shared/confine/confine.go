// Package confine is Docker's default confinement for goC run's rootfs and
// image form (stages 4 and 5, and so every container goCd starts): Docker's
// default capabilities, its default seccomp profile, its masked and
// read-only paths, a read-only /sys and the device cgroup — and the flags,
// in Docker's words, that loosen or tighten it: --privileged, --cap-add,
// --cap-drop, --security-opt, --read-only and --user. A bundle's config.json
// does not come here: it gets what it says.
package confine

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/spec"
)

// MaskedPaths are Docker's: what of the host /proc and /sys would show,
// hidden (an empty read-only tmpfs on a directory, /dev/null on a file).
var MaskedPaths = []string{
	"/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
	"/sys/devices/virtual/powercap",
}

// ReadonlyPaths are Docker's: the host's knobs under /proc, read-only.
var ReadonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}

// Options are what the flags asked for; the zero value is Docker's default.
type Options struct {
	Privileged      bool
	CapAdd, CapDrop []string
	Seccomp         string // "": Docker's default profile; "unconfined"; or a profile's file
	NoNewPrivileges bool
	ReadOnly        bool   // the rootfs
	User            string // UID[:GID]
}

// ValueFlags are the flags Register adds that take a value.
var ValueFlags = []string{"cap-add", "cap-drop", "security-opt", "user"}

// Register adds the flags to fs, filling o as they are parsed.
func (o *Options) Register(fs *flag.FlagSet) {
	fs.BoolVar(&o.Privileged, "privileged", false, "")
	fs.BoolVar(&o.ReadOnly, "read-only", false, "")
	fs.StringVar(&o.User, "user", "", "")
	fs.Func("cap-add", "", func(s string) error { o.CapAdd = append(o.CapAdd, s); return nil })
	fs.Func("cap-drop", "", func(s string) error { o.CapDrop = append(o.CapDrop, s); return nil })
	fs.Func("security-opt", "", o.securityOpt)
}

// securityOpt takes one --security-opt: seccomp=unconfined|FILE or
// no-new-privileges[=true|false] (Docker's old ":" spelling too).
func (o *Options) securityOpt(s string) error {
	k, v, hasV := strings.Cut(s, "=")
	if !hasV {
		k, v, hasV = strings.Cut(s, ":")
	}
	switch {
	case k == "seccomp" && v != "":
		o.Seccomp = v
	case k == "no-new-privileges" && !hasV:
		o.NoNewPrivileges = true
	case k == "no-new-privileges":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("no-new-privileges=%q: want true or false", v)
		}
		o.NoNewPrivileges = b
	default:
		return fmt.Errorf("%q: goC knows seccomp=unconfined|FILE and no-new-privileges[=true|false]", s)
	}
	return nil
}

// Apply confines the container p and rt describe as o says: its user,
// capabilities, seccomp filter, masked and read-only paths, /sys, the
// rootfs's read-only flag and its devices.
func (o *Options) Apply(p *spec.Plan, rt *spec.Runtime) error {
	uid, gid, err := ParseUser(o.User)
	if err != nil {
		return err
	}
	names, err := Capabilities(o.CapAdd, o.CapDrop, o.Privileged)
	if err != nil {
		return err
	}
	nums, err := spec.CapNumbers(names)
	if err != nil {
		return err
	}
	p.UID, p.GID = uid, gid
	p.Caps = &spec.Caps{Bounding: nums, Effective: nums, Permitted: nums}
	p.NoNewPrivileges, p.RootReadonly = o.NoNewPrivileges, o.ReadOnly
	if p.Seccomp, err = Seccomp(o.Seccomp, names, o.Privileged); err != nil {
		return err
	}
	if o.Privileged {
		return privileged(p, rt)
	}
	p.MaskedPaths, p.ReadonlyPaths = MaskedPaths, ReadonlyPaths
	rt.Resources.Devices = spec.DefaultDevices
	return nil
}

// privileged is Docker's --privileged: /sys read-write, nothing masked, and
// every device of the host, in /dev and in the device cgroup.
func privileged(p *spec.Plan, rt *spec.Runtime) error {
	for i, m := range p.Mounts {
		if m.Type == "sysfs" {
			p.Mounts[i].Flags &^= unix.MS_RDONLY
		}
	}
	devs, err := HostDevices("/dev")
	if err != nil {
		return fmt.Errorf("--privileged: %w", err)
	}
	p.Devices, p.MaskedPaths, p.ReadonlyPaths = devs, nil, nil
	rt.Resources.Devices = []cgroups.DeviceRule{{Allow: true, Type: 'a', Major: -1, Minor: -1, Access: "rwm"}}
	return nil
}

// ParseUser reads --user: UID or UID:GID, numbers ("" is root). Without a
// GID the group is 0, as Docker's for a UID its /etc/passwd does not list.
func ParseUser(s string) (uid, gid uint32, err error) {
	if s == "" {
		return 0, 0, nil
	}
	u, g, hasG := strings.Cut(s, ":")
	bad := func() (uint32, uint32, error) {
		return 0, 0, fmt.Errorf("--user %q: want UID or UID:GID, numbers below 4294967295", s)
	}
	n, err := strconv.ParseUint(u, 10, 32)
	if err != nil || n == 1<<32-1 {
		return bad()
	}
	var m uint64
	if hasG {
		if m, err = strconv.ParseUint(g, 10, 32); err != nil || m == 1<<32-1 {
			return bad()
		}
	}
	return uint32(n), uint32(m), nil
}

// readProfile reads a seccomp profile's file for --security-opt seccomp=FILE.
func readProfile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("--security-opt seccomp: %w", err)
	}
	return string(b), nil
}
