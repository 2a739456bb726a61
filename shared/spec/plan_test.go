package spec

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/namespace"
)

func bundle(t *testing.T) string {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "rootfs"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestConvertDefault(t *testing.T) {
	b := bundle(t)
	p, rt, err := Convert(Default(), b, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if p.Rootfs != filepath.Join(b, "rootfs") || !p.RootReadonly || p.Hostname != "goC" || !p.Terminal || !p.NoNewPrivileges {
		t.Errorf("plan = %+v", p)
	}
	wantNS := []namespace.Type{namespace.PID, namespace.Network, namespace.IPC, namespace.UTS, namespace.Mount}
	if d := cmp.Diff(wantNS, rt.Namespaces); d != "" || rt.CgroupNS {
		t.Errorf("namespaces (-want +got):\n%s cgroupns=%v", d, rt.CgroupNS)
	}
	if rt.CgroupParent != "goC" || rt.CgroupName != "c1" {
		t.Errorf("cgroup = %s/%s", rt.CgroupParent, rt.CgroupName)
	}
	if d := cmp.Diff(&Caps{Bounding: []int{29, 5, 10}, Effective: []int{29, 5, 10}, Permitted: []int{29, 5, 10}, Inheritable: []int{}, Ambient: []int{29, 5, 10}}, p.Caps); d != "" {
		t.Errorf("caps (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]Rlimit{{Resource: unix.RLIMIT_NOFILE, Soft: 1024, Hard: 1024}}, p.Rlimits); d != "" {
		t.Errorf("rlimits:\n%s", d)
	}
	dev := p.Mounts[1]
	if dev.Destination != "/dev" || dev.Flags != unix.MS_NOSUID|unix.MS_STRICTATIME || dev.Data != "mode=755,size=65536k" {
		t.Errorf("/dev mount = %+v", dev)
	}
	if sys := p.Mounts[5]; sys.Flags&unix.MS_RDONLY == 0 {
		t.Errorf("/sys mount not read-only: %+v", sys)
	}
}

func TestConvertErrors(t *testing.T) {
	cases := []struct {
		name   string
		change func(*specs.Spec)
		err    string
	}{
		{"no root", func(s *specs.Spec) { s.Root = nil }, "root.path is required"},
		{"missing rootfs", func(s *specs.Spec) { s.Root.Path = "nope" }, "root.path nope"},
		{"no process", func(s *specs.Spec) { s.Process = nil }, "process is required"},
		{"no args", func(s *specs.Spec) { s.Process.Args = nil }, "process.args must not be empty"},
		{"relative cwd", func(s *specs.Spec) { s.Process.Cwd = "tmp" }, "must be an absolute path"},
		{"unknown namespace", func(s *specs.Spec) { s.Linux.Namespaces[0].Type = "bogus" }, `unknown type "bogus"`},
		{"user namespace without mappings", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
		}, "needs linux.uidMappings"},
		{"mappings without a user namespace", func(s *specs.Spec) {
			s.Linux.UIDMappings = []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}}
		}, "need a user namespace"},
		{"user namespace path", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace, Path: "/proc/1/ns/user"})
		}, "config.json: linux.namespaces user with a path is not supported by goC: the kernel lets only a single-threaded process join"},
		{"time namespace", func(s *specs.Spec) {
			s.Linux.Namespaces = append(s.Linux.Namespaces, specs.LinuxNamespace{Type: specs.TimeNamespace})
		}, "config.json: linux.namespaces time is not supported by goC"},
		{"no mount namespace, masked paths", func(s *specs.Spec) { s.Linux.Namespaces = s.Linux.Namespaces[:4] }, "linux.maskedPaths and linux.readonlyPaths need a mount namespace"},
		{"no mount namespace, read-only paths", func(s *specs.Spec) {
			s.Linux.Namespaces, s.Linux.MaskedPaths = s.Linux.Namespaces[:4], nil
		}, "linux.maskedPaths and linux.readonlyPaths need a mount namespace"},
		{"seccomp notify without listener", func(s *specs.Spec) {
			s.Linux.Seccomp = &specs.LinuxSeccomp{DefaultAction: specs.ActAllow, Syscalls: []specs.LinuxSyscall{{Names: []string{"mkdir"}, Action: specs.ActNotify}}}
		}, "config.json: linux.seccomp: SCMP_ACT_NOTIFY needs listenerPath"},
		{"relative hook", func(s *specs.Spec) { s.Hooks = &specs.Hooks{Prestart: []specs.Hook{{Path: "bin/true"}}} }, `hooks.prestart[0].path "bin/true" must be absolute`},
		{"unknown cap", func(s *specs.Spec) { s.Process.Capabilities.Bounding = []string{"CAP_FLY"} }, `unknown capability "CAP_FLY"`},
		{"unknown rlimit", func(s *specs.Spec) { s.Process.Rlimits[0].Type = "RLIMIT_FUN" }, "unknown type"},
		{"soft above hard", func(s *specs.Spec) { s.Process.Rlimits[0].Soft = 2048 }, "soft 2048 above hard"},
		{"host sysctl", func(s *specs.Spec) { s.Linux.Sysctl = map[string]string{"vm.swappiness": "1"} }, "not namespaced"},
		{"net sysctl without netns", func(s *specs.Spec) {
			s.Linux.Namespaces = []specs.LinuxNamespace{{Type: specs.MountNamespace}, {Type: specs.UTSNamespace}}
			s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1"}
		}, "needs a network namespace"},
		{"systemd cgroups path of two parts", func(s *specs.Spec) { s.Linux.CgroupsPath = "system.slice:c1" }, "slice:prefix:name"},
		{"cgroups path of no level", func(s *specs.Spec) { s.Linux.CgroupsPath = "/" }, `linux.cgroupsPath "/" names no cgroup`},
		{"cpu shares", func(s *specs.Spec) { v := uint64(1); s.Linux.Resources.CPU = &specs.LinuxCPU{Shares: &v} }, "cpu.shares 1 is not between 2 and 262144"},
		{"cpu burst", func(s *specs.Spec) { v := uint64(1); s.Linux.Resources.CPU = &specs.LinuxCPU{Burst: &v} }, "linux.resources.cpu.burst is not supported"},
		{"swappiness", func(s *specs.Spec) { v := uint64(101); s.Linux.Resources.Memory = &specs.LinuxMemory{Swappiness: &v} }, "swappiness 101 is not between 0 and 100"},
		{"tiny memory", func(s *specs.Spec) { v := int64(1 << 20); s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &v} }, "below the minimum"},
		{"swap below the limit", func(s *specs.Spec) {
			l, sw := int64(64<<20), int64(32<<20)
			s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &l, Swap: &sw}
		}, "memory.swap must be at least memory.limit"},
		{"huge page size", func(s *specs.Spec) { s.Linux.Resources.HugepageLimits = []specs.LinuxHugepageLimit{{Pagesize: "2M"}} }, `hugepageLimits[0].pageSize "2M"`},
		{"device rule type", func(s *specs.Spec) {
			s.Linux.Resources.Devices = append(s.Linux.Resources.Devices, specs.LinuxDeviceCgroup{Allow: true, Type: "x", Access: "rwm"})
		}, `linux.resources.devices[1]: type 'x' is not a, c or b`},
		{"device rule access", func(s *specs.Spec) {
			s.Linux.Resources.Devices = append(s.Linux.Resources.Devices, specs.LinuxDeviceCgroup{Allow: true, Type: "c", Access: "xyz"})
		}, `access "xyz" has none of r, w and m`},
		{"device outside /dev", func(s *specs.Spec) {
			s.Linux.Devices = []specs.LinuxDevice{{Path: "/etc/evil", Type: "c", Major: 1, Minor: 3}}
		}, "not a path under /dev"},
		{"device of no type", func(s *specs.Spec) {
			s.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/x", Type: "z"}}
		}, "is not c, b, u or p"},
		{"relative mount destination", func(s *specs.Spec) { s.Mounts[0].Destination = "proc" }, "absolute path"},
		{"unknown mount type", func(s *specs.Spec) { s.Mounts[0].Type = "nfs" }, "mount type nfs"},
		{"missing bind source", func(s *specs.Spec) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: "/data", Source: "/nonexistent-goc", Options: []string{"rbind"}})
		}, "bind source"},
		{"hostname without uts", func(s *specs.Spec) {
			s.Linux.Namespaces = []specs.LinuxNamespace{{Type: specs.MountNamespace}}
		}, "needs a uts namespace"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := Default()
			tc.change(s)
			_, _, err := Convert(s, bundle(t), "c1")
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("Convert error = %v, want it to mention %q", err, tc.err)
			}
		})
	}
}

// Namespaces named by path are joined (any type but user), the others made
// new; no mount namespace at all is allowed without masked and read-only
// paths; a hostname may be set in a joined uts namespace.
func TestConvertNamespaces(t *testing.T) {
	s := Default()
	s.Linux.Namespaces = []specs.LinuxNamespace{
		{Type: specs.PIDNamespace, Path: "/proc/7/ns/pid"}, {Type: specs.NetworkNamespace},
		{Type: specs.IPCNamespace, Path: "/proc/7/ns/ipc"}, {Type: specs.UTSNamespace, Path: "/proc/7/ns/uts"},
		{Type: specs.MountNamespace, Path: "/run/mnt-ns"}, {Type: specs.CgroupNamespace, Path: "/proc/7/ns/cgroup"},
	}
	_, rt, err := Convert(s, bundle(t), "c1")
	if err != nil {
		t.Fatal(err)
	}
	want := map[namespace.Type]string{namespace.PID: "/proc/7/ns/pid", namespace.IPC: "/proc/7/ns/ipc",
		namespace.UTS: "/proc/7/ns/uts", namespace.Mount: "/run/mnt-ns", namespace.Cgroup: "/proc/7/ns/cgroup"}
	if d := cmp.Diff(want, rt.Join); d != "" || rt.CgroupNS {
		t.Errorf("joined (-want +got):\n%s cgroupns=%v", d, rt.CgroupNS)
	}
	if d := cmp.Diff([]namespace.Type{namespace.Network}, rt.Namespaces); d != "" || rt.NoMountNS {
		t.Errorf("new (-want +got):\n%s", d)
	}

	s = Default()
	s.Linux.Namespaces = s.Linux.Namespaces[:4] // pid, network, ipc, uts
	s.Linux.MaskedPaths, s.Linux.ReadonlyPaths = nil, nil
	_, rt, err = Convert(s, bundle(t), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if !rt.NoMountNS || slices.Contains(rt.Namespaces, namespace.Mount) || rt.Join[namespace.Mount] != "" {
		t.Errorf("a mount namespace nobody asked for: %v %v %v", rt.Namespaces, rt.Join, rt.NoMountNS)
	}
}

func TestConvertResourcesAndPaths(t *testing.T) {
	s := Default()
	mem, quota, period, pids := int64(100<<20), int64(50_000), uint64(100_000), int64(20)
	s.Linux.Resources.Memory = &specs.LinuxMemory{Limit: &mem, Swap: &mem}
	s.Linux.Resources.CPU = &specs.LinuxCPU{Quota: &quota, Period: &period}
	s.Linux.Resources.Pids = &specs.LinuxPids{Limit: &pids}
	s.Linux.CgroupsPath = "/mygroup/sub/c9"
	s.Linux.Sysctl = map[string]string{"net.ipv4.ip_forward": "1", "kernel.shmmax": "4096"}
	b := bundle(t)
	s.Mounts = append(s.Mounts, specs.Mount{Destination: "/data", Source: "rootfs", Options: []string{"rbind", "ro", "rprivate"}})
	p, rt, err := Convert(s, b, "c1")
	if err != nil {
		t.Fatal(err)
	}
	major, minor := int64(1), int64(3)
	s.Linux.Resources.Devices = append(s.Linux.Resources.Devices, specs.LinuxDeviceCgroup{Allow: false, Type: "c", Major: &major, Minor: &minor, Access: "w"})
	s.Linux.Devices = []specs.LinuxDevice{{Path: "/dev/fuse", Type: "c", Major: 10, Minor: 229}}
	p, rt, err = Convert(s, b, "c1")
	if err != nil {
		t.Fatal(err)
	}
	// Denied first, config.json's rules in order, then goC's own /dev. A
	// node linux.devices makes gets no rule of its own (as in runc 1.1.5):
	// config.json's rules decide whether it may be opened.
	devices := append([]cgroups.DeviceRule{
		{Type: 'a', Major: -1, Minor: -1, Access: "rwm"},
		{Type: 'a', Major: -1, Minor: -1, Access: "rwm"},
		{Type: 'c', Major: 1, Minor: 3, Access: "w"},
	}, DefaultDevices...)
	if d := cmp.Diff(cgroups.Resources{Memory: 100 << 20, CPUQuota: 50_000, CPUPeriod: 100_000, Pids: 20, Devices: devices}, rt.Resources); d != "" {
		t.Errorf("resources (-want +got):\n%s", d)
	}
	if rt.CgroupParent != "mygroup/sub" || rt.CgroupName != "c9" {
		t.Errorf("cgroupsPath → %q %q", rt.CgroupParent, rt.CgroupName)
	}
	bind := p.Mounts[len(p.Mounts)-1]
	want := Mount{Source: filepath.Join(b, "rootfs"), Destination: "/data", Type: "bind",
		Flags: unix.MS_BIND | unix.MS_REC | unix.MS_RDONLY, Propagation: []uintptr{unix.MS_PRIVATE | unix.MS_REC}}
	if d := cmp.Diff(want, bind); d != "" {
		t.Errorf("bind mount (-want +got):\n%s", d)
	}
}

func TestParse(t *testing.T) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(Default()); err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(&buf); err != nil {
		t.Fatalf("Parse(Default()) = %v", err)
	}
	// An unknown property, at any depth, is ignored (the runtime-spec: an
	// implementation MUST NOT error on it); what is known is read.
	s, err := Parse(strings.NewReader(`{"ociVersion": "1.0.2", "colour": "blue", "process": {"args": ["sh"], "flavour": 1},
		"linux": {"seccomp": {"defaultAction": "SCMP_ACT_ERRNO", "newSetting": {"a": [1]}}, "namespaces": [{"type": "pid", "x": 1}]}}`))
	if err != nil {
		t.Fatalf("Parse with unknown properties: %v", err)
	}
	if s.Process.Args[0] != "sh" || s.Linux.Seccomp.DefaultAction != specs.ActErrno || s.Linux.Namespaces[0].Type != specs.PIDNamespace {
		t.Errorf("Parse with unknown properties: %+v", s)
	}
	// A known property of the wrong type is still an error, after an
	// unknown one too.
	for _, bad := range []string{`{"ociVersion": "1.0.2", "proces": {}, "root": {"path": 3}}`, `{"process": {"args": "sh"}}`, `{not json`, ``} {
		if _, err := Parse(strings.NewReader(bad)); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
	// runc's own default config.json is accepted as it is.
	f, err := os.Open("testdata/runc-spec.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err = Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Convert(s, bundle(t), "c1"); err != nil {
		t.Fatalf("runc's default spec: %v", err)
	}
}
