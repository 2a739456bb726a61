package cgroups

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
)

// Pids lists each process once, in order, whatever the hierarchies list:
// on v1 a process is in every one of them.
func TestPids(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fs    func(*testing.T) *fakeFS
		procs map[string]string // hierarchy ("" for v2) → its cgroup.procs
		want  []int
	}{
		{"v2", newFakeV2, map[string]string{"": "42\n7\n"}, []int{7, 42}},
		{"v2, empty", newFakeV2, map[string]string{"": ""}, []int{}},
		// A process outside the reader's PID namespace is listed as 0
		// (goC run inside a container): never a pid to signal, as kill(0)
		// is the caller's own process group.
		{"v2, outside our PID namespace", newFakeV2, map[string]string{"": "0\n42\n0\n"}, []int{42}},
		{"v1: each once", newFakeV1, map[string]string{"memory": "12\n7\n", "pids": "7\n12\n30\n", "freezer": "30\n"}, []int{7, 12, 30}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.fs(t)
			f.install()
			m, err := Create(f.h, DefaultParent, "c1")
			if err != nil {
				t.Fatal(err)
			}
			defer closeLock(m)
			f.populate()
			for h, procs := range tc.procs {
				writeFile(t, m.Dirs()[h], "cgroup.procs", procs)
			}
			got, err := m.Pids()
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("Pids() = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	m, err := Open(Hierarchies{V2: t.TempDir()}, DefaultParent, "gone")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Pids(); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Pids() of a cgroup that is gone: %v, want ErrNotExist", err)
	}
}

// Signal reaches every process the cgroup lists; one that is gone by then
// is no error.
func TestSignal(t *testing.T) {
	f := newFakeV2(t)
	f.install()
	m, err := Create(f.h, DefaultParent, "c1")
	if err != nil {
		t.Fatal(err)
	}
	defer closeLock(m)
	f.populate()
	sleep := exec.Command("sleep", "60")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	defer sleep.Process.Kill()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	procs := strconv.Itoa(sleep.Process.Pid) + "\n" + strconv.Itoa(gone.Process.Pid) + "\n"
	writeFile(t, filepath.Join(f.h.V2, "goC/c1"), "cgroup.procs", procs)
	if err := Signal(m, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = sleep.Wait()
	if ws, ok := sleep.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGTERM {
		t.Errorf("the cgroup's process ended with %v, want SIGTERM", err)
	}
}

// Find opens an existing container's cgroup in this host's hierarchies,
// creating nothing.
func TestFind(t *testing.T) {
	h, err := Detect()
	if err != nil {
		t.Fatal(err)
	}
	m, err := Find("goC-test-find", "c1", nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Open(h, "goC-test-find", "c1")
	if err != nil {
		t.Fatal(err)
	}
	if m.Path() != want.Path() {
		t.Errorf("Find: %s, want %s", m.Path(), want.Path())
	}
	if _, err := os.Stat(m.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Find made %s: %v", m.Path(), err)
	}
	if _, err := Find("../etc", "c1", nil); err == nil {
		t.Error("Find accepted the parent ../etc")
	}
}
