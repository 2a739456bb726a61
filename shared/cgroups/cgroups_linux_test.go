package cgroups

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A fake cgroupfs: directories and the interface files a real kernel would
// show, in t.TempDir(). fakeKernel adds the files a new cgroup gets; rmdir
// follows cgroupfs's rule (a cgroup with processes or children is busy).
type fakeFS struct {
	t     *testing.T
	h     Hierarchies
	files map[string]string // interface files of a new cgroup and their contents
}

func newFakeV2(t *testing.T) *fakeFS {
	root := t.TempDir()
	writeFile(t, root, "cgroup.controllers", "cpuset cpu io memory pids\n")
	writeFile(t, root, "cgroup.subtree_control", "")
	return &fakeFS{t: t, h: Hierarchies{V2: root}, files: map[string]string{
		"cgroup.controllers": "cpu memory pids", "cgroup.subtree_control": "", "cgroup.procs": "",
		"cgroup.kill": "", "memory.max": "max", "memory.swap.max": "max", "cpu.max": "max 100000",
		"pids.max": "max", "memory.peak": "1234567\n", "memory.events": "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n",
		"cpu.stat": "usage_usec 100\nnr_periods 10\nnr_throttled 7\nthrottled_usec 5\n",
	}}
}

func newFakeV1(t *testing.T) *fakeFS {
	root := t.TempDir()
	mounts := map[string]string{}
	for _, h := range []string{"memory", "cpu,cpuacct", "pids", "freezer", "devices"} {
		dir := filepath.Join(root, h)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, c := range strings.Split(h, ",") {
			mounts[c] = dir
		}
	}
	return &fakeFS{t: t, h: Hierarchies{V1: mounts}, files: map[string]string{
		"cgroup.procs": "", "tasks": "", "memory.limit_in_bytes": "9223372036854771712", "memory.memsw.limit_in_bytes": "9223372036854771712",
		"memory.max_usage_in_bytes": "2345678\n", "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
		"cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "-1", "cpu.stat": "nr_periods 4\nnr_throttled 3\nthrottled_time 9\n",
		"pids.max": "max", "freezer.state": "THAWED",
	}}
}

// populate plays the kernel: every directory below the hierarchies that
// lacks interface files gets them.
func (f *fakeFS) populate() {
	roots := []string{f.h.V2}
	if f.h.V2 == "" {
		roots = nil
		for _, m := range f.h.V1 {
			roots = append(roots, m)
		}
		if f.h.Unified != "" {
			roots = append(roots, f.h.Unified)
		}
	}
	for _, r := range roots {
		_ = filepath.WalkDir(r, func(p string, d os.DirEntry, err error) error {
			if err != nil || !d.IsDir() || p == r {
				return err
			}
			for name, content := range f.files {
				if _, err := os.Stat(filepath.Join(p, name)); errors.Is(err, os.ErrNotExist) {
					writeFile(f.t, p, name, content)
				}
			}
			return nil
		})
	}
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func (f *fakeFS) install() {
	oldMkdir, oldRmdir := mkdir, rmdir
	f.t.Cleanup(func() { mkdir, rmdir = oldMkdir, oldRmdir })
	mkdir = func(dir string, perm os.FileMode) error {
		if err := os.Mkdir(dir, perm); err != nil {
			return err
		}
		f.populate()
		return nil
	}
	rmdir = func(dir string) error {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.IsDir() {
				return syscall.EBUSY
			}
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs")); strings.TrimSpace(string(b)) != "" {
			return syscall.EBUSY
		}
		return os.RemoveAll(dir)
	}
}

// want is what a backend's files hold after the same calls.
type want struct {
	files  map[string]string // path relative to a hierarchy root → content
	joined map[string]string // the same after Join
	stats  Stats
}

func TestManagers(t *testing.T) {
	res := Resources{Memory: 100 << 20, CPUQuota: 50_000, CPUPeriod: 100_000, Pids: 20}
	cases := []struct {
		name string
		fs   func(*testing.T) *fakeFS
		want want
	}{
		{"v2", newFakeV2, want{
			files: map[string]string{
				"cgroup.subtree_control":     "+cpuset +cpu +io +memory +pids",
				"goC/cgroup.subtree_control": "+cpu +memory +pids",
				"goC/c1/memory.max":          "104857600",
				"goC/c1/memory.swap.max":     "0",
				"goC/c1/cpu.max":             "50000 100000",
				"goC/c1/pids.max":            "20",
				"goC/c1/cgroup.procs":        "4242",
			},
			joined: map[string]string{"goC/c1/cgroup.procs": "0"},
			stats:  Stats{MemoryPeak: 1234567, OOMKills: 1, NrThrottled: 7},
		}},
		{"v1", newFakeV1, want{
			files: map[string]string{
				"memory/goC/c1/memory.limit_in_bytes":       "104857600",
				"memory/goC/c1/memory.memsw.limit_in_bytes": "104857600",
				"cpu,cpuacct/goC/c1/cpu.cfs_quota_us":       "50000",
				"cpu,cpuacct/goC/c1/cpu.cfs_period_us":      "100000",
				"pids/goC/c1/pids.max":                      "20",
				"memory/goC/c1/cgroup.procs":                "4242",
				"cpu,cpuacct/goC/c1/cgroup.procs":           "4242",
				"pids/goC/c1/cgroup.procs":                  "4242",
				"freezer/goC/c1/cgroup.procs":               "4242",
			},
			joined: map[string]string{"memory/goC/c1/tasks": "0", "cpu,cpuacct/goC/c1/tasks": "0", "pids/goC/c1/tasks": "0", "freezer/goC/c1/tasks": "0"},
			stats:  Stats{MemoryPeak: 2345678, OOMKills: 2, NrThrottled: 3},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.fs(t)
			f.install()
			m, err := Create(f.h, DefaultParent, "c1")
			if err != nil {
				t.Fatal(err)
			}
			f.populate()
			if err := m.Apply(res); err != nil {
				t.Fatal(err)
			}
			if err := m.Add(4242); err != nil {
				t.Fatal(err)
			}
			root := f.h.V2
			if root == "" {
				root = filepath.Dir(f.h.V1["memory"])
			}
			for rel, content := range tc.want.files {
				if got := readFile(t, filepath.Join(root, rel)); got != content {
					t.Errorf("%s = %q, want %q", rel, got, content)
				}
			}
			files, err := m.JoinFiles()
			if err != nil {
				t.Fatal(err)
			}
			if err := Join(files); err != nil {
				t.Fatal(err)
			}
			for rel, content := range tc.want.joined {
				if got := readFile(t, filepath.Join(root, rel)); got != content {
					t.Errorf("after Join, %s = %q, want %q", rel, got, content)
				}
			}
			st, err := m.Stats()
			if err != nil || st != tc.want.stats {
				t.Errorf("Stats() = %+v, %v; want %+v", st, err, tc.want.stats)
			}
			if _, err := Create(f.h, DefaultParent, "c1"); err == nil {
				t.Error("a second Create of the same container succeeded")
			}

			// Reclaim leaves a cgroup whose goC is alive alone…
			procs, _ := filepath.Glob(filepath.Join(root, "*goC/c1/cgroup.procs"))
			more, _ := filepath.Glob(filepath.Join(root, "*/goC/c1/cgroup.procs"))
			for _, p := range append(procs, more...) {
				writeFile(t, filepath.Dir(p), "cgroup.procs", "")
			}
			if n, err := Reclaim(f.h, DefaultParent); n != 0 || err != nil {
				t.Fatalf("Reclaim with a live owner = %d, %v; want 0, nil", n, err)
			}
			// …and one whose goC has exited while its processes run on…
			closeLock(m)
			for _, p := range append(procs, more...) {
				writeFile(t, filepath.Dir(p), "cgroup.procs", "777\n")
			}
			if n, err := Reclaim(f.h, DefaultParent); n != 0 || err != nil {
				t.Fatalf("Reclaim of a populated cgroup = %d, %v; want 0, nil", n, err)
			}
			// …and removes it once nothing holds or runs in it.
			for _, p := range append(procs, more...) {
				writeFile(t, filepath.Dir(p), "cgroup.procs", "")
			}
			if n, err := Reclaim(f.h, DefaultParent); n != 1 || err != nil {
				t.Fatalf("Reclaim after the owner died = %d, %v; want 1, nil", n, err)
			}
			if leftovers(f.h) != "" {
				t.Fatalf("left behind: %s", leftovers(f.h))
			}
		})
	}
}

func TestDestroy(t *testing.T) {
	for name, newFS := range map[string]func(*testing.T) *fakeFS{"v2": newFakeV2, "v1": newFakeV1} {
		t.Run(name, func(t *testing.T) {
			f := newFS(t)
			f.install()
			m, err := Create(f.h, "a/b", "c2")
			if err != nil {
				t.Fatal(err)
			}
			f.populate()
			if err := m.Destroy(); err != nil {
				t.Fatal(err)
			}
			if l := leftovers(f.h); l != "" {
				t.Fatalf("left behind: %s", l)
			}
		})
	}
}

func TestCreateRejects(t *testing.T) {
	f := newFakeV2(t)
	for _, c := range []struct{ parent, id string }{{"goC", "../x"}, {"goC", ""}, {"../etc", "c"}, {"a//b", "c"}, {"/abs", "c"}} {
		if _, err := Create(f.h, c.parent, c.id); err == nil {
			t.Errorf("Create(%q, %q) succeeded", c.parent, c.id)
		}
	}
}

// closeLock plays a goC that died: its lock goes away with it.
func closeLock(m Manager) {
	switch m := m.(type) {
	case *v2:
		m.lock.Close()
	case *v1:
		m.lock.Close()
	}
}

// leftovers lists the container cgroups (directories two levels down).
func leftovers(h Hierarchies) string {
	var roots []string
	if h.V2 != "" {
		roots = []string{h.V2}
	}
	for _, m := range h.V1 {
		roots = append(roots, m)
	}
	var left []string
	for _, r := range roots {
		matches, _ := filepath.Glob(filepath.Join(r, "*", "*", "c*"))
		matches2, _ := filepath.Glob(filepath.Join(r, "goC", "c*"))
		for _, m := range append(matches, matches2...) {
			if fi, err := os.Stat(m); err == nil && fi.IsDir() {
				left = append(left, m)
			}
		}
	}
	return strings.Join(left, " ")
}

func TestFreeze(t *testing.T) {
	for name, newFS := range map[string]func(*testing.T) *fakeFS{"v2": newFakeV2, "v1": newFakeV1} {
		t.Run(name, func(t *testing.T) {
			f := newFS(t)
			f.files["cgroup.freeze"] = "0"
			f.files["cgroup.events"] = "populated 1\nfrozen 1\n" // the fake kernel freezes at once
			f.install()
			m, err := Create(f.h, DefaultParent, "c1")
			if err != nil {
				t.Fatal(err)
			}
			f.populate()
			if fz, err := m.Frozen(); err != nil || fz {
				t.Fatalf("Frozen() of a new cgroup = %v, %v", fz, err)
			}
			if err := m.Freeze(true); err != nil {
				t.Fatal(err)
			}
			if fz, err := m.Frozen(); err != nil || !fz {
				t.Fatalf("Frozen() after Freeze(true) = %v, %v", fz, err)
			}
			file := filepath.Join(f.h.V2, "goC/c1/cgroup.freeze")
			if name == "v1" {
				file = filepath.Join(f.h.V1["freezer"], "goC/c1/freezer.state")
			}
			if got := readFile(t, file); got != map[string]string{"v2": "1", "v1": "FROZEN"}[name] {
				t.Fatalf("%s = %q", file, got)
			}
			if name == "v2" {
				// Thawing waits for the kernel to say so.
				writeFile(t, filepath.Dir(file), "cgroup.events", "populated 1\nfrozen 0\n")
			}
			if err := m.Freeze(false); err != nil {
				t.Fatal(err)
			}
			if fz, _ := m.Frozen(); fz {
				t.Fatal("still frozen")
			}
			closeLock(m)
		})
	}
}

func TestReadUsage(t *testing.T) {
	f := newFakeV2(t)
	f.files["memory.current"] = "4096\n"
	f.files["pids.current"] = "3\n"
	f.install()
	m, err := Create(f.h, DefaultParent, "c1")
	if err != nil {
		t.Fatal(err)
	}
	f.populate()
	got := ReadUsage(m)
	want := Usage{CPUTotalNs: 100_000, MemoryUsage: 4096, MemoryPeak: 1234567, MemoryLimit: -1, PidsCurrent: 3, PidsLimit: -1}
	if got != want {
		t.Fatalf("ReadUsage = %+v, want %+v", got, want)
	}
	closeLock(m)
}

// Swap as Docker asks for it (memory+swap = twice the memory), unlimited,
// and goC's default (none).
func TestApplySwap(t *testing.T) {
	for _, tc := range []struct {
		swap   int64
		v2, v1 string
	}{{0, "0", "67108864"}, {128 << 20, "67108864", "134217728"}, {-1, "max", "-1"}} {
		for name, newFS := range map[string]func(*testing.T) *fakeFS{"v2": newFakeV2, "v1": newFakeV1} {
			f := newFS(t)
			f.install()
			m, err := Create(f.h, DefaultParent, "c1")
			if err != nil {
				t.Fatal(err)
			}
			f.populate()
			if err := m.Apply(Resources{Memory: 64 << 20, MemorySwap: tc.swap}); err != nil {
				t.Fatal(err)
			}
			file, want := filepath.Join(f.h.V2, "goC/c1/memory.swap.max"), tc.v2
			if name == "v1" {
				file, want = filepath.Join(f.h.V1["memory"], "goC/c1/memory.memsw.limit_in_bytes"), tc.v1
			}
			if got := readFile(t, file); got != want {
				t.Errorf("%s swap %d: %s = %q, want %q", name, tc.swap, filepath.Base(file), got, want)
			}
			closeLock(m)
		}
	}
}
