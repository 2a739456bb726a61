package spec

import (
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/cgroups"
)

// linux.cgroupsPath as runc's cgroupfs driver reads it: absolute, from each
// hierarchy's root, at any depth; relative, from the caller's own cgroup.
// Neither can climb out with "..".
func TestCgroupsPath(t *testing.T) {
	old := ownCgroups
	t.Cleanup(func() { ownCgroups = old })
	for _, tc := range []struct {
		path, self   string
		parent, name string
		err          string
		bases        map[string]string // the caller in different v1 cgroups
	}{
		{"", "/", "goC", "c1", "", nil},
		{"/cgrouptest", "/", "", "cgrouptest", "", nil},
		{"/a/b/c/d", "/", "a/b/c", "d", "", nil},
		{"/docker/0123abc", "/", "docker", "0123abc", "", nil},
		{"/../../etc/x", "/", "etc", "x", "", nil},
		{"testdir/cgrouptest/container", "/init.scope", "init.scope/testdir/cgrouptest", "container", "", nil},
		{"testdir/c", "/", "testdir", "c", "", nil},
		{"c", "/user.slice/user-0.slice/user@0.service", "user.slice/user-0.slice/user@0.service", "c", "", nil},
		{"../../x", "/init.scope", "init.scope", "x", "", nil},
		{"/", "/", "", "", `linux.cgroupsPath "/" names no cgroup`, nil},
		{"/a b/c", "/", "", "", `linux.cgroupsPath "/a b/c": invalid cgroup parent`, nil},
		// systemd's slice:prefix:name (containerd sends it for a parent
		// ending in .slice): with no systemd, runc's cgroupfs driver makes
		// one cgroup of that name below the caller's own cgroup.
		{"test.slice:cri-containerd:c1", "/", "", "test.slice:cri-containerd:c1", "", nil},
		{"system.slice:docker:0123abc", "/init.scope", "init.scope", "system.slice:docker:0123abc", "", nil},
		{"a.slice::c1", "", "", "a.slice::c1", "", map[string]string{"memory": "/limited/x", "pids": "/"}},
		{"system.slice:goc", "/", "", "", `linux.cgroupsPath "system.slice:goc": not systemd's slice:prefix:name form`, nil},
		{"a/b.slice:goc:c1", "/", "", "", "not systemd's slice:prefix:name form", nil},
		{"a.slice:go c:c1", "/", "", "", "not systemd's slice:prefix:name form", nil},
		{"a.slice:goc:", "/", "", "", "not systemd's slice:prefix:name form", nil},
		{"rel/c", "", "", "", `linux.cgroupsPath "rel/c": relative to goC's own cgroup: no /proc/self/cgroup`, nil},
		{"testdir/c", "", "testdir", "c", "", map[string]string{"memory": "/limited/x", "pids": "/", "cpu": "/"}},
		{"/abs/c", "", "abs", "c", "", map[string]string{"memory": "/limited/x", "pids": "/"}},
	} {
		ownCgroups = func() (map[string]string, error) {
			switch {
			case tc.bases != nil:
				return tc.bases, nil
			case tc.self == "":
				return nil, errors.New("no /proc/self/cgroup")
			}
			return map[string]string{"memory": tc.self, "pids": tc.self}, nil // v1, the same cgroup in each
		}
		parent, name, bases, err := cgroupsPath(tc.path, "c1")
		wantBases := tc.bases
		if strings.HasPrefix(tc.path, "/") {
			wantBases = nil // an absolute path needs no base
		}
		if !maps.Equal(bases, wantBases) {
			t.Errorf("cgroupsPath(%q) bases = %v, want %v", tc.path, bases, wantBases)
		}
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("cgroupsPath(%q) = %q %q, %v; want error %q", tc.path, parent, name, err, tc.err)
			}
			continue
		}
		if err != nil || parent != tc.parent || name != tc.name {
			t.Errorf("cgroupsPath(%q) from %s = %q %q, %v; want %q %q", tc.path, tc.self, parent, name, err, tc.parent, tc.name)
		}
	}
}

// Every linux.resources field goC sets reaches cgroups.Resources.
func TestConvertAllResources(t *testing.T) {
	u16 := func(v uint16) *uint16 { return &v }
	i64 := func(v int64) *int64 { return &v }
	u64 := func(v uint64) *uint64 { return &v }
	yes, classID := true, uint32(0x100001)
	dev := func(major, minor int64) specs.LinuxBlockIODevice {
		return specs.LinuxBlockIODevice{Major: major, Minor: minor}
	}
	r := &specs.LinuxResources{
		Memory: &specs.LinuxMemory{Limit: i64(64 << 20), Reservation: i64(32 << 20), Swappiness: u64(10), DisableOOMKiller: &yes,
			Kernel: i64(64 << 20), KernelTCP: i64(1 << 20), UseHierarchy: &yes, CheckBeforeUpdate: &yes},
		CPU:  &specs.LinuxCPU{Cpus: "0-1,3", Mems: "0", RealtimePeriod: u64(1000000), RealtimeRuntime: i64(1000)},
		Pids: &specs.LinuxPids{Limit: i64(-5)},
		BlockIO: &specs.LinuxBlockIO{Weight: u16(500), LeafWeight: u16(300),
			WeightDevice:            []specs.LinuxWeightDevice{{LinuxBlockIODevice: dev(8, 0), Weight: u16(400), LeafWeight: u16(200)}},
			ThrottleReadBpsDevice:   []specs.LinuxThrottleDevice{{LinuxBlockIODevice: dev(8, 0), Rate: 1 << 20}},
			ThrottleWriteBpsDevice:  []specs.LinuxThrottleDevice{{LinuxBlockIODevice: dev(8, 0), Rate: 2 << 20}},
			ThrottleReadIOPSDevice:  []specs.LinuxThrottleDevice{{LinuxBlockIODevice: dev(8, 16), Rate: 100}},
			ThrottleWriteIOPSDevice: []specs.LinuxThrottleDevice{{LinuxBlockIODevice: dev(8, 16), Rate: 200}}},
		HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "2MB", Limit: 4 << 20}, {Pagesize: "1GB", Limit: 1 << 30}},
		Network:        &specs.LinuxNetwork{ClassID: &classID, Priorities: []specs.LinuxInterfacePriority{{Name: "eth0", Priority: 5}}},
		Unified:        map[string]string{"memory.high": "1000000", "cgroup.max.depth": "3"},
	}
	got, err := UpdateResources(r)
	if err != nil {
		t.Fatal(err)
	}
	want := cgroups.Resources{
		Memory: 64 << 20, MemoryReservation: 32 << 20, Swappiness: u64(10), DisableOOMKiller: true,
		CPUs: "0-1,3", Mems: "0", CPURtPeriod: 1000000, CPURtRuntime: 1000, Pids: -1,
		Unified: map[string]string{"memory.high": "1000000", "cgroup.max.depth": "3"},
		BlockIO: cgroups.BlockIO{Weight: 500, LeafWeight: 300,
			WeightDevices: []cgroups.WeightDevice{{Major: 8, Minor: 0, Weight: 400, LeafWeight: 200}},
			Throttle: []cgroups.Throttle{{Kind: "rbps", Major: 8, Rate: 1 << 20}, {Kind: "wbps", Major: 8, Rate: 2 << 20},
				{Kind: "riops", Major: 8, Minor: 16, Rate: 100}, {Kind: "wiops", Major: 8, Minor: 16, Rate: 200}}},
		Hugepages: []cgroups.Hugepage{{Size: "2MB", Limit: 4 << 20}, {Size: "1GB", Limit: 1 << 30}},
		Network:   cgroups.Network{ClassID: 0x100001, Priorities: []cgroups.NetPriority{{Interface: "eth0", Priority: 5}}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("resources (-want +got):\n%s", d)
	}
	// What Docker sends with every container asks for nothing.
	zero := uint16(0)
	got, err = UpdateResources(&specs.LinuxResources{BlockIO: &specs.LinuxBlockIO{Weight: &zero}, Memory: &specs.LinuxMemory{Swappiness: u64(^uint64(0))}})
	if err != nil || !cmp.Equal(got, cgroups.Resources{}) {
		t.Errorf("Docker's defaults: %+v, %v", got, err)
	}
}

func TestConvertResourcesErrors(t *testing.T) {
	for _, tc := range []struct {
		r   specs.LinuxResources
		err string
	}{
		{specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "0-a"}}, `linux.resources.cpu.cpus "0-a" is not a list such as 0-2,4`},
		{specs.LinuxResources{CPU: &specs.LinuxCPU{Mems: "1,"}}, `linux.resources.cpu.mems "1," is not a list such as 0-2,4`},
		{specs.LinuxResources{CPU: &specs.LinuxCPU{Cpus: "3-1"}}, `linux.resources.cpu.cpus "3-1" is not a list such as 0-2,4`},
		{specs.LinuxResources{HugepageLimits: []specs.LinuxHugepageLimit{{Pagesize: "huge"}}}, `linux.resources.hugepageLimits[0].pageSize "huge" is not a size such as 2MB`},
		{specs.LinuxResources{Rdma: map[string]specs.LinuxRdma{"mlx": {}}}, "linux.resources.rdma is not supported"},
		{specs.LinuxResources{Unified: map[string]string{"..": "1"}}, `linux.resources.unified: key ".." is not in the form CONTROLLER.PARAMETER`},
	} {
		if _, err := UpdateResources(&tc.r); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%+v: error %v, want %q", tc.r, err, tc.err)
		}
	}
}
