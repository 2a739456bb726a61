package cgroups

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// -1 is "no limit", as runc update takes it: v1 writes -1, v2 "max"; a CFS
// period alone keeps the quota (v2 writes both in one file).
func TestApplyUnlimited(t *testing.T) {
	f1 := newFakeV1(t)
	f1.files["cpu.rt_period_us"], f1.files["cpu.rt_runtime_us"] = "1000000", "0"
	f1.install()
	m1, err := Create(f1.h, "", "c1")
	if err != nil {
		t.Fatal(err)
	}
	defer closeLock(m1)
	if err := m1.Apply(Resources{Memory: -1, Pids: -1, CPUQuota: -1, CPUPeriod: CPUPeriod, CPURtPeriod: 500000, CPURtRuntime: 1000}); err != nil {
		t.Fatal(err)
	}
	v1 := filepath.Dir(f1.h.V1["memory"])
	for rel, want := range map[string]string{
		"memory/c1/memory.limit_in_bytes": "-1", "memory/c1/memory.memsw.limit_in_bytes": "-1", "pids/c1/pids.max": "max",
		"cpu,cpuacct/c1/cpu.cfs_quota_us": "-1", "cpu,cpuacct/c1/cpu.rt_period_us": "500000", "cpu,cpuacct/c1/cpu.rt_runtime_us": "1000",
	} {
		if got := readFile(t, filepath.Join(v1, rel)); got != want {
			t.Errorf("v1 %s = %q, want %q", rel, got, want)
		}
	}
	if err := m1.Apply(Resources{CPUPeriod: 50000}); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(v1, "cpu,cpuacct/c1/cpu.cfs_period_us")); got != "50000" {
		t.Errorf("v1 a period alone: cpu.cfs_period_us = %q, want 50000", got)
	}

	f2 := newFakeV2(t)
	f2.install()
	m2, err := Create(f2.h, "", "c1")
	if err != nil {
		t.Fatal(err)
	}
	defer closeLock(m2)
	if err := m2.Apply(Resources{Memory: -1, Pids: -1, CPUQuota: -1, CPUPeriod: CPUPeriod}); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{"memory.max": "max", "memory.swap.max": "max", "pids.max": "max", "cpu.max": "max 100000"} {
		if got := readFile(t, filepath.Join(f2.h.V2, "c1", file)); got != want {
			t.Errorf("v2 %s = %q, want %q", file, got, want)
		}
	}
	writeFile(t, filepath.Join(f2.h.V2, "c1"), "cpu.max", "20000 100000\n")
	if err := m2.Apply(Resources{CPUPeriod: 50000}); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(f2.h.V2, "c1", "cpu.max")); got != "20000 50000" {
		t.Errorf("v2 a period alone: cpu.max = %q, want the quota kept: 20000 50000", got)
	}
	if err := m2.Apply(Resources{CPURtRuntime: 1000}); err == nil || !strings.Contains(err.Error(), "realtime") {
		t.Errorf("v2 realtime runtime: error %v, want one that says v2 has no realtime limits", err)
	}
}

// linux.resources.unified: v2 writes each key as a file of the container's
// cgroup, after the other limits; a key that is no interface file there
// fails; v1 (hybrid too) refuses it, as runc does.
func TestApplyUnified(t *testing.T) {
	f := newFakeV2(t)
	f.install()
	m, err := Create(f.h, "", "c1")
	if err != nil {
		t.Fatal(err)
	}
	defer closeLock(m)
	if err := m.Apply(Resources{Memory: 64 << 20, Unified: map[string]string{"memory.max": "33554432", "pids.max": "7"}}); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{"memory.max": "33554432", "pids.max": "7"} {
		if got := readFile(t, filepath.Join(f.h.V2, "c1", file)); got != want {
			t.Errorf("%s = %q, want %q", file, got, want)
		}
	}
	if err := m.Apply(Resources{Unified: map[string]string{"io.nothing": "1"}}); err == nil || !strings.Contains(err.Error(), "linux.resources.unified") {
		t.Errorf("a key with no file: error %v", err)
	}
	if _, err := os.Stat(filepath.Join(f.h.V2, "c1", "io.nothing")); err == nil {
		t.Error("a unified key created a file")
	}

	f1 := newFakeV1(t)
	f1.install()
	m1, err := Create(f1.h, "", "c1")
	if err != nil {
		t.Fatal(err)
	}
	defer closeLock(m1)
	if err := m1.Apply(Resources{Unified: map[string]string{"pids.max": "7"}}); err == nil || !strings.Contains(err.Error(), "cgroup v1") {
		t.Errorf("v1: error %v, want a refusal naming cgroup v1", err)
	}
}

func TestValidateUnified(t *testing.T) {
	for key, ok := range map[string]bool{
		"memory.max": true, "io.weight": true, "cgroup.max.depth": true, "memory.swap.max": true,
		"": false, ".": false, "..": false, "../memory.max": false, "a/b.c": false, "nodot": false, ".max": false, "memory.": false,
	} {
		if err := ValidateUnified(map[string]string{key: "1"}); (err == nil) != ok {
			t.Errorf("ValidateUnified(%q) = %v, want ok %v", key, err, ok)
		}
	}
}

// A cgroup that exists already is reused, as runc reuses it, if no process
// is in it; one with processes is refused (runc 1.1 would share it, and
// delete would then kill what is not the container's). Destroy removes it.
func TestCreateReuses(t *testing.T) {
	for name, newFS := range map[string]func(*testing.T) *fakeFS{"v2": newFakeV2, "v1": newFakeV1} {
		t.Run(name, func(t *testing.T) {
			f := newFS(t)
			f.install()
			root := f.h.V2
			if root == "" {
				root = f.h.V1["pids"]
			}
			if err := mkdir(filepath.Join(root, "pre"), 0o755); err != nil {
				t.Fatal(err)
			}
			m, err := Create(f.h, "", "pre")
			if err != nil {
				t.Fatalf("an empty cgroup that exists: %v", err)
			}
			if err := m.Destroy(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(root, "pre")); !os.IsNotExist(err) {
				t.Errorf("reused cgroup left after Destroy: %v", err)
			}
			live, err := Create(f.h, "", "live")
			if err != nil {
				t.Fatal(err)
			}
			defer closeLock(live)
			if _, err := Create(f.h, "", "live"); err == nil || !strings.Contains(err.Error(), "in use") {
				t.Errorf("a cgroup a live goC holds: error %v, want a refusal", err)
			}
			if err := mkdir(filepath.Join(root, "busy"), 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(root, "busy"), "cgroup.procs", "4242\n")
			if _, err := Create(f.h, "", "busy"); err == nil || !strings.Contains(err.Error(), "has processes") {
				t.Errorf("a cgroup with processes: error %v, want a refusal", err)
			}
			if got := readFile(t, filepath.Join(root, "busy", "cgroup.procs")); got != "4242" {
				t.Errorf("the busy cgroup was touched: cgroup.procs = %q", got)
			}
		})
	}
}

// On a hybrid host (v1 controllers and an empty cgroup2) the container
// joins the cgroup2 hierarchy too, at the same path, as runc puts it there
// (its /proc/PID/cgroup line 0::/…); Destroy removes it. The container's
// own view (Dirs) stays the v1 hierarchies.
func TestHybridJoinsUnified(t *testing.T) {
	f := newFakeV1(t)
	f.h.Unified = filepath.Join(filepath.Dir(f.h.V1["memory"]), "unified")
	if err := os.Mkdir(f.h.Unified, 0o755); err != nil {
		t.Fatal(err)
	}
	f.install()
	m, err := Create(f.h, "a", "c1")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(f.h.Unified, "a", "c1")
	if err := m.Add(4242); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, "cgroup.procs")); got != "4242" {
		t.Errorf("unified cgroup.procs = %q, want 4242", got)
	}
	files, err := m.JoinFiles()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, fl := range files {
		names = append(names, fl.Name())
	}
	if err := Join(files); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, "cgroup.procs")); got != "0" {
		t.Errorf("Join did not write the unified cgroup.procs (files %v)", names)
	}
	if _, ok := m.Dirs()["unified"]; ok || len(m.Dirs()) != 5 {
		t.Errorf("Dirs() = %v, want the 5 v1 hierarchies alone", m.Dirs())
	}
	for _, d := range append(slices.Collect(maps.Values(m.Dirs())), dir) {
		writeFile(t, d, "cgroup.procs", "") // the process has gone
	}
	m2, err := Open(f.h, "a", "c1")
	if err != nil {
		t.Fatal(err)
	}
	closeLock(m)
	if err := m2.Destroy(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("unified cgroup left after Destroy: %v", err)
	}
	if r := f.h.Rebase(map[string]string{"memory": "/x", "": "/u"}); r.Unified != filepath.Join(f.h.Unified, "u") {
		t.Errorf("Rebase: Unified = %q, want below the caller's own cgroup2 path", r.Unified)
	}
}

// A device rule's access is any order and repeat of r, w and m, as runc
// takes it: other letters are ignored ("rwa" is rw), but there must be one
// of the three ("x" alone fails, as it does under runc).
func TestDeviceAccessForms(t *testing.T) {
	for access, want := range map[string]string{
		"rwm": "rwm", "mrw": "rwm", "wr": "rw", "rrw": "rw", "rwa": "rw", "m": "m", "wm": "wm", "": "rwm", "x": "", "a": "",
	} {
		r := DeviceRule{Allow: true, Type: 'c', Major: 1, Minor: 11, Access: access}
		err := r.Validate()
		if (err == nil) != (want != "") {
			t.Errorf("access %q: Validate = %v", access, err)
			continue
		}
		if want == "" {
			continue
		}
		if got := r.String(); got != "c 1:11 "+want {
			t.Errorf("access %q: String = %q, want c 1:11 %s", access, got, want)
		}
		if got, w := r.access(), (DeviceRule{Access: want}).access(); got != w {
			t.Errorf("access %q: bits %b, want %b", access, got, w)
		}
	}
}
