package confine

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	profiles "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"goc.dev/shared/rootfs"
	"goc.dev/shared/seccomp"
	"goc.dev/shared/spec"
)

// capMask is the CapEff line /proc/PID/status would show for names.
func capMask(t *testing.T, names []string) uint64 {
	t.Helper()
	nums, err := spec.CapNumbers(names)
	if err != nil {
		t.Fatal(err)
	}
	var m uint64
	for _, n := range nums {
		m |= 1 << n
	}
	return m
}

func TestDefaultCapsAreDockers(t *testing.T) {
	if got := capMask(t, DefaultCaps); got != 0xa80425fb {
		t.Fatalf("default CapEff %016x, Docker's is 00000000a80425fb", got)
	}
}

func TestCapabilities(t *testing.T) {
	all := allCaps()
	def := slices.Clone(DefaultCaps)
	for _, tc := range []struct {
		name       string
		add, drop  []string
		privileged bool
		want       []string
		err        string
	}{
		{name: "default", want: def},
		{name: "privileged", privileged: true, want: all},
		{name: "add, any case, CAP_ optional", add: []string{"sys_admin", "CAP_NET_ADMIN", "chown"},
			want: append(slices.Clone(def), "CAP_SYS_ADMIN", "CAP_NET_ADMIN")},
		{name: "drop", drop: []string{"Chown", "CAP_KILL"},
			want: slices.DeleteFunc(slices.Clone(def), func(c string) bool { return c == "CAP_CHOWN" || c == "CAP_KILL" })},
		{name: "drop ALL, add one", drop: []string{"all"}, add: []string{"kill"}, want: []string{"CAP_KILL"}},
		{name: "drop ALL", drop: []string{"ALL"}, want: nil},
		{name: "add ALL, drop one", add: []string{"ALL"}, drop: []string{"sys_admin"},
			want: slices.DeleteFunc(slices.Clone(all), func(c string) bool { return c == "CAP_SYS_ADMIN" })},
		{name: "typo in add", add: []string{"SYS_ADMN"}, err: `--cap-add: unknown capability "SYS_ADMN"`},
		{name: "unknown in drop", drop: []string{"CAP_FOO"}, err: `--cap-drop: unknown capability "CAP_FOO"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Capabilities(tc.add, tc.drop, tc.privileged)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestAllCapsNamed(t *testing.T) {
	for _, c := range allCaps() {
		if c == "" {
			t.Fatal("a capability of this kernel has no name in goC")
		}
	}
}

func TestParseUser(t *testing.T) {
	for _, tc := range []struct {
		in       string
		uid, gid uint32
		ok       bool
	}{
		{"", 0, 0, true}, {"1000", 1000, 0, true}, {"1000:100", 1000, 100, true}, {"0:0", 0, 0, true},
		{"nobody", 0, 0, false}, {"1000:", 0, 0, false}, {":1", 0, 0, false}, {"-1", 0, 0, false},
		{"4294967295", 0, 0, false}, {"1:2:3", 0, 0, false},
	} {
		uid, gid, err := ParseUser(tc.in)
		if (err == nil) != tc.ok || uid != tc.uid || gid != tc.gid {
			t.Errorf("ParseUser(%q) = %d, %d, %v", tc.in, uid, gid, err)
		}
	}
}

func TestSecurityOpt(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want Options
		err  string
	}{
		{[]string{"--security-opt", "seccomp=unconfined"}, Options{Seccomp: "unconfined"}, ""},
		{[]string{"--security-opt", "seccomp=/p.json"}, Options{Seccomp: "/p.json"}, ""},
		{[]string{"--security-opt", "no-new-privileges"}, Options{NoNewPrivileges: true}, ""},
		{[]string{"--security-opt", "no-new-privileges:true"}, Options{NoNewPrivileges: true}, ""},
		{[]string{"--security-opt", "no-new-privileges=false"}, Options{}, ""},
		{[]string{"--privileged", "--read-only", "--user", "7:8", "--cap-add", "a", "--cap-add", "b", "--cap-drop", "c"},
			Options{Privileged: true, ReadOnly: true, User: "7:8", CapAdd: []string{"a", "b"}, CapDrop: []string{"c"}}, ""},
		{[]string{"--security-opt", "no-new-privileges=maybe"}, Options{}, "want true or false"},
		{[]string{"--security-opt", "apparmor=unconfined"}, Options{}, "goC knows seccomp"},
		{[]string{"--security-opt", "seccomp="}, Options{}, "goC knows seccomp"},
	} {
		var o Options
		fs := flag.NewFlagSet("run", flag.ContinueOnError)
		fs.SetOutput(new(strings.Builder))
		o.Register(fs)
		err := fs.Parse(tc.args)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: error %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || !equal(o, tc.want) {
			t.Errorf("%v: got %+v, %v; want %+v", tc.args, o, err, tc.want)
		}
	}
}

func equal(a, b Options) bool {
	return a.Privileged == b.Privileged && a.ReadOnly == b.ReadOnly && a.User == b.User && a.Seccomp == b.Seccomp &&
		a.NoNewPrivileges == b.NoNewPrivileges && slices.Equal(a.CapAdd, b.CapAdd) && slices.Equal(a.CapDrop, b.CapDrop)
}

func TestApplyDefault(t *testing.T) {
	p := spec.Plan{Mounts: rootfs.DefaultMounts()}
	var rt spec.Runtime
	if err := (&Options{User: "5:6"}).Apply(&p, &rt); err != nil {
		t.Fatal(err)
	}
	if p.UID != 5 || p.GID != 6 || p.Caps == nil || len(p.Caps.Bounding) != len(DefaultCaps) || len(p.Caps.Inheritable) != 0 {
		t.Fatalf("user %d:%d, caps %+v", p.UID, p.GID, p.Caps)
	}
	if p.Seccomp == nil || len(p.Seccomp.Filter) == 0 {
		t.Fatal("no seccomp filter by default")
	}
	if !slices.Equal(p.MaskedPaths, MaskedPaths) || !slices.Equal(p.ReadonlyPaths, ReadonlyPaths) {
		t.Fatalf("masked %v, read-only %v", p.MaskedPaths, p.ReadonlyPaths)
	}
	if !slices.Equal(rt.Resources.Devices, spec.DefaultDevices) {
		t.Fatalf("device cgroup %v", rt.Resources.Devices)
	}
	if sysfsFlags(p)&unix.MS_RDONLY == 0 || p.RootReadonly || p.NoNewPrivileges {
		t.Fatalf("/sys flags %#x, rootfs read-only %v, nnp %v", sysfsFlags(p), p.RootReadonly, p.NoNewPrivileges)
	}
}

func TestApplyPrivileged(t *testing.T) {
	p := spec.Plan{Mounts: rootfs.DefaultMounts()}
	var rt spec.Runtime
	o := Options{Privileged: true, ReadOnly: true, NoNewPrivileges: true}
	if err := o.Apply(&p, &rt); err != nil {
		t.Fatal(err)
	}
	if p.Seccomp != nil || len(p.MaskedPaths)+len(p.ReadonlyPaths) > 0 || sysfsFlags(p)&unix.MS_RDONLY != 0 {
		t.Fatalf("privileged: seccomp %v, masked %v, read-only %v, /sys %#x", p.Seccomp != nil, p.MaskedPaths, p.ReadonlyPaths, sysfsFlags(p))
	}
	if len(p.Caps.Bounding) != len(allCaps()) || !p.RootReadonly || !p.NoNewPrivileges {
		t.Fatalf("caps %v, rootfs read-only %v, nnp %v", p.Caps.Bounding, p.RootReadonly, p.NoNewPrivileges)
	}
	if len(rt.Resources.Devices) != 1 || rt.Resources.Devices[0].Type != 'a' || !rt.Resources.Devices[0].Allow {
		t.Fatalf("device cgroup %v", rt.Resources.Devices)
	}
	if !slices.ContainsFunc(p.Devices, func(d rootfs.Device) bool { return d.Path == "/dev/null" }) {
		t.Fatalf("host devices %v lack /dev/null", p.Devices)
	}
	if rootfs.DefaultMounts()[5].Flags&unix.MS_RDONLY == 0 {
		t.Fatal("privileged changed the default mounts themselves")
	}
}

func sysfsFlags(p spec.Plan) uintptr {
	for _, m := range p.Mounts {
		if m.Type == "sysfs" {
			return m.Flags
		}
	}
	return 0
}

func TestSeccompFlags(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}`)
	for _, tc := range []struct {
		how        string
		privileged bool
		filter     bool
		err        string
	}{
		{how: "", filter: true},
		{how: "", privileged: true},
		{how: "unconfined"},
		{how: good, filter: true},
		{how: good, privileged: true, filter: true},
		{how: write("empty.json", `{}`)},
		{how: filepath.Join(dir, "missing.json"), err: "no such file"},
		{how: write("bad.json", `{"defaultAction":`), err: "Decoding seccomp profile failed"},
		{how: write("badact.json", `{"defaultAction":"SCMP_ACT_NOPE"}`), err: `unknown action "SCMP_ACT_NOPE"`},
	} {
		prog, err := Seccomp(tc.how, DefaultCaps, tc.privileged)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "seccomp") {
				t.Errorf("%s: error %v, want %q", tc.how, err, tc.err)
			}
			continue
		}
		if err != nil || (prog != nil) != tc.filter {
			t.Errorf("%s (privileged %v): filter %v, %v; want filter %v", tc.how, tc.privileged, prog != nil, err, tc.filter)
		}
	}
}

// TestDefaultProfileResolved compiles Docker's default profile as goC run
// resolves it, with the default capabilities and with all of them (the
// entries that need CAP_SYS_ADMIN and others come in then).
func TestDefaultProfileResolved(t *testing.T) {
	for _, caps := range [][]string{DefaultCaps, allCaps(), nil} {
		s, err := Profile("", caps)
		if err != nil {
			t.Fatal(err)
		}
		if s.DefaultAction != specs.ActErrno {
			t.Fatalf("default action %s", s.DefaultAction)
		}
		if _, err := seccomp.Compile(s); err != nil {
			t.Fatalf("caps %v: %v", caps, err)
		}
	}
}

// TestDefaultProfileEveryArch takes every entry of Docker's default
// profile, whatever its conditions (architecture, capabilities, kernel):
// it compiles for this machine, and checks for amd64 and arm64 (every
// syscall it names either resolves or is one the architecture lacks,
// skipped). The assembler builds filters only for the machine it runs on.
func TestDefaultProfileEveryArch(t *testing.T) {
	raw := profiles.DefaultProfile()
	all := specs.LinuxSeccomp{DefaultAction: raw.DefaultAction, DefaultErrnoRet: raw.DefaultErrnoRet}
	for _, sc := range raw.Syscalls {
		all.Syscalls = append(all.Syscalls, sc.LinuxSyscall) // Names: the default profile has no Name

	}
	if len(all.Syscalls) < 10 {
		t.Fatalf("only %d entries in the default profile", len(all.Syscalls))
	}
	prog, err := seccomp.Compile(&all)
	if err != nil {
		t.Fatal(err)
	}
	if len(prog.Filter) < 100 {
		t.Fatalf("%d instructions", len(prog.Filter))
	}
	for _, arch := range []string{"amd64", "arm64"} {
		if err := seccomp.Check(&all, arch); err != nil {
			t.Fatalf("%s: %v", arch, err)
		}
	}
	bad := all
	bad.Syscalls = append(slices.Clone(all.Syscalls), specs.LinuxSyscall{Names: []string{"read"}, Action: "SCMP_ACT_NOPE"})
	if err := seccomp.Check(&bad, "arm64"); err == nil {
		t.Fatal("Check took an unknown action")
	}
}

func TestHostDevices(t *testing.T) {
	devs, err := HostDevices("/dev")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		if strings.HasPrefix(d.Path, "/dev/pts/") || d.Path == "/dev/console" || d.Path == "/dev/ptmx" {
			t.Errorf("%s listed", d.Path)
		}
		if d.Path == "/dev/null" && (d.Type != unix.S_IFCHR || d.Major != 1 || d.Minor != 3 || d.Mode != 0o666) {
			t.Errorf("/dev/null as %+v", d)
		}
	}
}

// BenchmarkDefaultSeccomp is goC's share of the default profile's price at
// start: resolving Docker's profile and compiling it.
func BenchmarkDefaultSeccomp(b *testing.B) {
	for b.Loop() {
		if _, err := Seccomp("", DefaultCaps, false); err != nil {
			b.Fatal(err)
		}
	}
}
