package cgroups

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newFakeV1With is a v1 host with the given hierarchies ("net_cls,net_prio"
// for two controllers in one), their cpuset root filled as the kernel fills
// it, and every interface file the limits below are written to.
func newFakeV1With(t *testing.T, hierarchies ...string) *fakeFS {
	f := newFakeV1(t)
	root := filepath.Dir(f.h.V1["memory"])
	for _, h := range hierarchies {
		dir := filepath.Join(root, h)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, c := range strings.Split(h, ",") {
			f.h.V1[c] = dir
		}
	}
	if d, ok := f.h.V1["cpuset"]; ok {
		writeFile(t, d, "cpuset.cpus", "0-1\n")
		writeFile(t, d, "cpuset.mems", "0\n")
	}
	for file, content := range map[string]string{
		"cpuset.cpus": "\n", "cpuset.mems": "\n", "memory.soft_limit_in_bytes": "9223372036854771712",
		"memory.swappiness": "60", "blkio.bfq.weight": "100", "blkio.bfq.weight_device": "",
		"blkio.throttle.read_bps_device": "", "blkio.throttle.write_iops_device": "",
		"hugetlb.2MB.limit_in_bytes": "9223372036854771712", "net_cls.classid": "0", "net_prio.ifpriomap": "",
		"cpu.shares": "1024",
	} {
		f.files[file] = content
	}
	return f
}

// newFakeV2With is a v2 host whose cgroups offer controllers (the root's
// cgroup.controllers and every new cgroup's), with the files below.
func newFakeV2With(t *testing.T, controllers string) *fakeFS {
	f := newFakeV2(t)
	writeFile(t, f.h.V2, "cgroup.controllers", controllers+"\n")
	f.files["cgroup.controllers"] = controllers
	for file, content := range map[string]string{
		"cpuset.cpus": "", "cpuset.mems": "", "memory.low": "0", "io.weight": "default 100", "io.max": "",
		"hugetlb.2MB.max": "max", "cpu.weight": "100",
	} {
		f.files[file] = content
	}
	return f
}

// everything asks for one of each limit goC sets besides memory, CPU time
// and pids (TestManagers has those).
var everything = Resources{
	Memory: 64 << 20, MemoryReservation: 32 << 20, Swappiness: ptr(uint64(10)), DisableOOMKiller: true,
	CPUs: "0", Mems: "0",
	BlockIO: BlockIO{Weight: 500, WeightDevices: []WeightDevice{{Major: 8, Minor: 0, Weight: 300}},
		Throttle: []Throttle{{Kind: "rbps", Major: 8, Minor: 0, Rate: 1 << 20}, {Kind: "wiops", Major: 8, Minor: 16, Rate: 100}}},
	Hugepages: []Hugepage{{Size: "2MB", Limit: 4 << 20}},
	Network:   Network{ClassID: 0x100001, Priorities: []NetPriority{{Interface: "lo", Priority: 2}}},
}

func ptr[T any](v T) *T { return &v }

func TestApplyV1(t *testing.T) {
	f := newFakeV1With(t, "cpuset", "blkio", "hugetlb", "net_cls,net_prio")
	f.install()
	m, err := Create(f.h, "a/b", "c1")
	if err != nil {
		t.Fatal(err)
	}
	defer closeLock(m)
	root := filepath.Dir(f.h.V1["memory"])
	// A new v1 cpuset cgroup takes no task until it has CPUs and memory
	// nodes: each level gets its parent's.
	for _, rel := range []string{"cpuset/a", "cpuset/a/b", "cpuset/a/b/c1"} {
		if got := readFile(t, filepath.Join(root, rel, "cpuset.cpus")); got != "0-1" {
			t.Errorf("%s/cpuset.cpus = %q after Create, want the root's 0-1", rel, got)
		}
		if got := readFile(t, filepath.Join(root, rel, "cpuset.mems")); got != "0" {
			t.Errorf("%s/cpuset.mems = %q after Create, want the root's 0", rel, got)
		}
	}
	if err := m.Apply(everything); err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]string{
		"memory/a/b/c1/memory.limit_in_bytes":           "67108864",
		"memory/a/b/c1/memory.soft_limit_in_bytes":      "33554432",
		"memory/a/b/c1/memory.swappiness":               "10",
		"memory/a/b/c1/memory.oom_control":              "1",
		"cpuset/a/b/c1/cpuset.cpus":                     "0",
		"cpuset/a/b/c1/cpuset.mems":                     "0",
		"cpuset/a/b/cpuset.cpus":                        "0-1",
		"blkio/a/b/c1/blkio.bfq.weight":                 "500",
		"blkio/a/b/c1/blkio.bfq.weight_device":          "8:0 300",
		"blkio/a/b/c1/blkio.throttle.read_bps_device":   "8:0 1048576",
		"blkio/a/b/c1/blkio.throttle.write_iops_device": "8:16 100",
		"hugetlb/a/b/c1/hugetlb.2MB.limit_in_bytes":     "4194304",
		"net_cls,net_prio/a/b/c1/net_cls.classid":       "1048577",
		"net_cls,net_prio/a/b/c1/net_prio.ifpriomap":    "lo 2",
	} {
		if got := readFile(t, filepath.Join(root, rel)); got != want {
			t.Errorf("%s = %q, want %q", rel, got, want)
		}
	}
	// Each hierarchy is joined: the container's directory in every one.
	if n := len(m.Dirs()); n != 9 {
		t.Errorf("Dirs() = %v, want the 9 hierarchies", m.Dirs())
	}
}

func TestApplyV2(t *testing.T) {
	for _, tc := range []struct {
		name  string
		bfq   bool
		files map[string]string
	}{
		{"io.weight, converted from blkio's range", false, map[string]string{"io.weight": "8:0 2930"}},
		{"BFQ: its own weight, blkio's range", true, map[string]string{"io.bfq.weight": "8:0 300"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeV2With(t, "cpuset cpu io memory hugetlb pids")
			if tc.bfq {
				f.files["io.bfq.weight"] = "default 100"
			}
			f.install()
			m, err := Create(f.h, "", "c1")
			if err != nil {
				t.Fatal(err)
			}
			defer closeLock(m)
			if got := readFile(t, filepath.Join(f.h.V2, "cgroup.subtree_control")); got != "+cpuset +cpu +io +memory +hugetlb +pids" {
				t.Errorf("root cgroup.subtree_control = %q", got)
			}
			r := everything
			r.Swappiness, r.DisableOOMKiller, r.Network = nil, false, Network{}
			if err := m.Apply(r); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{
				"memory.max": "67108864", "memory.low": "33554432", "cpuset.cpus": "0", "cpuset.mems": "0",
				"io.max": "8:16 wiops=100", "hugetlb.2MB.max": "4194304",
			}
			for k, v := range tc.files {
				want[k] = v // the last write: per device
			}
			for file, v := range want {
				if got := readFile(t, filepath.Join(f.h.V2, "c1", file)); got != v {
					t.Errorf("%s = %q, want %q", file, got, v)
				}
			}
		})
	}
}

// The weight alone, without devices: io.weight takes blkio's 10–1000
// converted to its 1–10000 (runc's formula), io.bfq.weight as it is.
func TestApplyV2Weight(t *testing.T) {
	for _, bfq := range []bool{false, true} {
		f := newFakeV2With(t, "io")
		file, want := "io.weight", "4950"
		if bfq {
			f.files["io.bfq.weight"] = "default 100"
			file, want = "io.bfq.weight", "500"
		}
		f.install()
		m, err := Create(f.h, DefaultParent, "c1")
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Apply(Resources{BlockIO: BlockIO{Weight: 500}}); err != nil {
			t.Fatal(err)
		}
		if got := readFile(t, filepath.Join(f.h.V2, "goC/c1", file)); got != want {
			t.Errorf("bfq %v: %s = %q, want %q", bfq, file, got, want)
		}
		closeLock(m)
	}
}

// A limit whose controller the host lacks is one error naming the field and
// the controller; settings the kernel lacks are named too.
func TestApplyUnavailable(t *testing.T) {
	for _, tc := range []struct {
		name string
		fs   func(*testing.T) *fakeFS
		r    Resources
		err  string
	}{
		{"v1 blkio", newFakeV1, Resources{BlockIO: BlockIO{Weight: 500}},
			"linux.resources.blockIO: the blkio controller is not available on this host"},
		{"v1 hugetlb", newFakeV1, Resources{Hugepages: []Hugepage{{Size: "2MB", Limit: 1 << 21}}},
			"linux.resources.hugepageLimits: the hugetlb controller is not available on this host"},
		{"v1 net_cls", newFakeV1, Resources{Network: Network{ClassID: 1}},
			"linux.resources.network: the net_cls controller is not available on this host"},
		{"v1 net_prio", newFakeV1, Resources{Network: Network{Priorities: []NetPriority{{Interface: "lo", Priority: 1}}}},
			"linux.resources.network: the net_prio controller is not available on this host"},
		{"v1 cpuset", newFakeV1, Resources{CPUs: "0"},
			"linux.resources.cpu: the cpuset controller is not available on this host"},
		{"v2 io", func(t *testing.T) *fakeFS { return newFakeV2With(t, "cpu memory pids") }, Resources{BlockIO: BlockIO{Weight: 500}},
			"linux.resources.blockIO: the io controller is not available on this host"},
		{"v2 network", newFakeV2, Resources{Network: Network{ClassID: 1}},
			"linux.resources.network: the net_cls controller is not available on this host"},
		{"v2 cpuset", func(t *testing.T) *fakeFS { return newFakeV2With(t, "cpu memory pids") }, Resources{Mems: "0"},
			"linux.resources.cpu: the cpuset controller is not available on this host"},
		{"v1 huge page size", func(t *testing.T) *fakeFS { return newFakeV1With(t, "hugetlb") },
			Resources{Hugepages: []Hugepage{{Size: "3MB", Limit: 1 << 21}}},
			"linux.resources.hugepageLimits: this kernel has no 3MB huge pages"},
		{"v1 no weight", func(t *testing.T) *fakeFS {
			f := newFakeV1With(t, "blkio")
			delete(f.files, "blkio.bfq.weight")
			return f
		},
			Resources{BlockIO: BlockIO{Weight: 500}},
			"linux.resources.blockIO.weight: this kernel's blkio controller has no weight (it needs the BFQ I/O scheduler)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.fs(t)
			f.install()
			m, err := Create(f.h, DefaultParent, "c1")
			if err != nil {
				t.Fatal(err)
			}
			defer closeLock(m)
			if err := m.Apply(tc.r); err == nil || err.Error() != tc.err {
				t.Errorf("Apply error = %v, want %q", err, tc.err)
			}
		})
	}
}

// v2: a controller the parent cannot hand down (its cgroup has processes
// of its own, say) is not enabled, and only a limit that needs it fails.
func TestV2EnableWhatItCan(t *testing.T) {
	f := newFakeV2With(t, "cpu memory pids")
	f.install()
	writeFile(t, f.h.V2, "cgroup.controllers", "cpu memory\n")
	m, err := Create(f.h, DefaultParent, "c1")
	if err != nil {
		t.Fatal(err)
	}
	defer closeLock(m)
	if got := readFile(t, filepath.Join(f.h.V2, "cgroup.subtree_control")); got != "+cpu +memory" {
		t.Errorf("root cgroup.subtree_control = %q, want only what the root has", got)
	}
}

// A cgroupsPath of one level puts the container's cgroup at the root of
// each hierarchy; Reclaim never sweeps a hierarchy's root.
func TestCreateAtRoot(t *testing.T) {
	for name, newFS := range map[string]func(*testing.T) *fakeFS{
		"v2": newFakeV2, "v1": func(t *testing.T) *fakeFS { return newFakeV1With(t, "cpuset") },
	} {
		t.Run(name, func(t *testing.T) {
			f := newFS(t)
			f.install()
			roots := []string{f.h.V2}
			if name == "v1" {
				roots = []string{f.h.V1["memory"], f.h.V1["cpuset"], f.h.V1["pids"]}
			}
			for _, r := range roots {
				if err := os.Mkdir(filepath.Join(r, "other"), 0o755); err != nil { // not goC's, empty, unlocked
					t.Fatal(err)
				}
			}
			m, err := Create(f.h, "", "cgrouptest")
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range roots {
				if fi, err := os.Stat(filepath.Join(r, "cgrouptest")); err != nil || !fi.IsDir() {
					t.Errorf("no cgroup %s/cgrouptest: %v", r, err)
				}
			}
			if name == "v1" {
				if got := readFile(t, filepath.Join(f.h.V1["cpuset"], "cgrouptest", "cpuset.cpus")); got != "0-1" {
					t.Errorf("cpuset.cpus = %q, want the root's", got)
				}
			}
			closeLock(m)
			if n, err := Reclaim(f.h, ""); n != 0 || err != nil {
				t.Errorf("Reclaim at the root = %d, %v; want 0, nil", n, err)
			}
			for _, r := range roots {
				if _, err := os.Stat(filepath.Join(r, "other")); err != nil {
					t.Errorf("Reclaim touched %s/other: %v", r, err)
				}
			}
			m2, err := Open(f.h, "", "cgrouptest")
			if err != nil {
				t.Fatal(err)
			}
			if err := m2.Destroy(); err != nil {
				t.Fatal(err)
			}
			for _, r := range roots {
				if _, err := os.Stat(filepath.Join(r, "cgrouptest")); !os.IsNotExist(err) {
					t.Errorf("%s/cgrouptest left behind: %v", r, err)
				}
			}
		})
	}
}

func TestValidateParent(t *testing.T) {
	for parent, ok := range map[string]bool{
		"": true, "goC": true, "a/b/c/d/e": true, "user.slice/user-0.slice/user@0.service/app.slice": true,
		"init.scope/test.slice:cri-containerd:c1": true, "a:b c": false,
		"../x": false, "a/../b": false, "a//b": false, "/abs": false, "a/": false, "a/./b": false, "a b": false,
	} {
		if err := ValidateParent(parent); (err == nil) != ok {
			t.Errorf("ValidateParent(%q) = %v, want ok %v", parent, err, ok)
		}
	}
}

// Self finds the caller's cgroup in /proc/self/cgroup: v2's one line, or
// the v1 hierarchies goC uses, which must agree.
func TestSelf(t *testing.T) {
	v1 := Hierarchies{V1: map[string]string{"memory": "/m", "pids": "/p", "cpu": "/c", "cpuacct": "/c"}}
	v2 := Hierarchies{V2: "/sys/fs/cgroup"}
	for _, tc := range []struct {
		name, in string
		h        Hierarchies
		want     string
		err      string
	}{
		{"v2", "0::/init.scope\n", v2, "/init.scope", ""},
		{"v1", "9:name=systemd:/user.slice/s1\n8:pids:/user.slice\n4:memory:/user.slice\n2:cpu,cpuacct:/user.slice\n1:rdma:/\n0::/user.slice/s1\n",
			v1, "/user.slice", ""},
		{"v1, hierarchies disagree", "8:pids:/\n4:memory:/limited/x\n2:cpu,cpuacct:/\n0::/\n", v1, "",
			"the caller is in different cgroups in the v1 hierarchies (cpu /, cpuacct /, memory /limited/x, pids /)"},
		{"v2 line missing", "1:name=systemd:/\n", v2, "", "no cgroup v2 line in /proc/self/cgroup"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSelf(strings.NewReader(tc.in), tc.h)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("parseSelf = %q, %v; want error %q", got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("parseSelf = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// Reclaim takes only leaves: a cgroup with cgroups below it was not made
// by goC for a container (a deeper linux.cgroupsPath runs through it), and
// removing it could only fail.
func TestReclaimLeavesInnerCgroups(t *testing.T) {
	for name, newFS := range map[string]func(*testing.T) *fakeFS{"v2": newFakeV2, "v1": newFakeV1} {
		t.Run(name, func(t *testing.T) {
			f := newFS(t)
			f.install()
			m, err := Create(f.h, "p", "c1")
			if err != nil {
				t.Fatal(err)
			}
			closeLock(m) // its goC died
			if _, err := Create(f.h, "p/inner", "c2"); err != nil {
				t.Fatal(err)
			}
			if n, err := Reclaim(f.h, "p"); n != 1 || err != nil {
				t.Fatalf("Reclaim = %d, %v; want 1 (c1), nil", n, err)
			}
			root := f.h.V2
			if root == "" {
				root = f.h.V1["memory"]
			}
			if _, err := os.Stat(filepath.Join(root, "p/inner/c2")); err != nil {
				t.Errorf("p/inner/c2: %v", err)
			}
		})
	}
}

// v2: a cgroup with processes of its own (the caller's, for a relative
// cgroupsPath) is left as it is: enabling the threaded controllers there
// would make it a thread root, and no domain cgroup below it could take a
// process (EOPNOTSUPP).
func TestV2LeavesBusyCgroupsAlone(t *testing.T) {
	f := newFakeV2(t)
	f.install()
	busy := filepath.Join(f.h.V2, "init.scope")
	if err := os.Mkdir(busy, 0o755); err != nil {
		t.Fatal(err)
	}
	f.populate()
	writeFile(t, busy, "cgroup.procs", "1\n")
	m, err := Create(f.h, "init.scope/goc-rel", "c1")
	if err != nil {
		t.Fatal(err)
	}
	defer closeLock(m)
	if got := readFile(t, filepath.Join(busy, "cgroup.subtree_control")); got != "" {
		t.Errorf("init.scope/cgroup.subtree_control = %q, want it untouched", got)
	}
}

// On a v1 host where the caller sits in different cgroups per hierarchy,
// Own has each, and Rebase moves each hierarchy's root below its own (a
// relative linux.cgroupsPath, as runc places it); v2 and no bases: as is.
func TestOwnAndRebase(t *testing.T) {
	v1 := Hierarchies{V1: map[string]string{"memory": "/m", "pids": "/p", "cpu": "/c", "cpuacct": "/c"}}
	own, err := parseOwn(strings.NewReader("8:pids:/\n4:memory:/limited/x\n2:cpu,cpuacct:/a\n0::/\n"), v1)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"pids": "/", "memory": "/limited/x", "cpu": "/a", "cpuacct": "/a"}
	if !maps.Equal(own, want) {
		t.Fatalf("parseOwn = %v, want %v", own, want)
	}
	got := v1.Rebase(own)
	if want := map[string]string{"memory": "/m/limited/x", "pids": "/p", "cpu": "/c/a", "cpuacct": "/c/a"}; !maps.Equal(got.V1, want) {
		t.Errorf("Rebase = %v, want %v", got.V1, want)
	}
	if v1.V1["memory"] != "/m" {
		t.Error("Rebase changed the hierarchies it was called on")
	}
	m := openV1(got, "testdir", "c1", nil)
	if d := m.dirs["memory"]; d != "/m/limited/x/testdir/c1" {
		t.Errorf("memory cgroup below the rebased root = %s", d)
	}
	if r := (Hierarchies{V2: "/sys/fs/cgroup"}).Rebase(map[string]string{"": "/x"}); r.V2 != "/sys/fs/cgroup" {
		t.Errorf("v2 Rebase = %+v, want it unchanged", r)
	}
	if r := v1.Rebase(nil); !maps.Equal(r.V1, v1.V1) {
		t.Errorf("Rebase(nil) = %v", r.V1)
	}
}
