package state

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/process"
)

// fakeCgroups makes Cgroup open container cgroups in a fake v2 hierarchy,
// and returns a function that sets a cgroup's freezer.
func fakeCgroups(t *testing.T) (freeze func(name, state string)) {
	root := t.TempDir()
	old := findCgroup
	t.Cleanup(func() { findCgroup = old })
	findCgroup = func(parent, cid string, bases map[string]string) (cgroups.Manager, error) {
		return cgroups.Open(cgroups.Hierarchies{V2: root}, parent, cid)
	}
	return func(name, state string) {
		dir := filepath.Join(root, "goC", name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "cgroup.freeze"), []byte(state), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// live starts a process for a container's init and returns its state.
func live(t *testing.T, cid string) *State {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	start, err := process.StartTime(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	return &State{OCIVersion: "1.2.0", ID: cid, Pid: cmd.Process.Pid, Start: start, Bundle: "/b/" + cid, Rootfs: "/b/" + cid + "/rootfs",
		Created: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), Annotations: map[string]string{"k": "v"},
		CgroupParent: "goC", CgroupName: cid}
}

func TestInfo(t *testing.T) {
	freeze := fakeCgroups(t)
	root := t.TempDir()
	save := func(st *State, fifo bool) *Container {
		c, err := Create(root, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Save(st); err != nil {
			t.Fatal(err)
		}
		if fifo {
			if err := c.MakeFifo(); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}
	creating, err := Create(root, "creating")
	if err != nil {
		t.Fatal(err)
	}
	created := save(live(t, "created"), true)
	running := save(live(t, "running"), false)
	freeze("running", "0")
	paused := save(live(t, "paused"), false)
	freeze("paused", "1")
	noCgroup := save(live(t, "nocgroup"), false)
	dead := live(t, "stopped")
	dead.Start++ // its PID is another process's now
	stopped := save(dead, false)
	freeze("stopped", "1") // a frozen cgroup makes no stopped container paused
	// Damaged state.json (issue 17): garbled, truncated to nothing.
	damaged := func(id, content string) *Container {
		c := save(live(t, id), false)
		if err := os.WriteFile(filepath.Join(c.Dir, StateFile), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return c
	}
	garbled, empty := damaged("garbled", `{"id": "garb`), damaged("empty", "")

	for _, tc := range []struct {
		c      *Container
		status string
		pid    bool
	}{
		{creating, Creating, false},
		{created, Created, true},
		{running, Running, true},
		{paused, Paused, true},
		{noCgroup, Running, true},
		{stopped, Stopped, false},
		{garbled, Stopped, false},
		{empty, Stopped, false},
	} {
		t.Run(tc.c.ID, func(t *testing.T) {
			i := tc.c.Info()
			if i.ID != tc.c.ID || i.Status != tc.status || i.OCIVersion == "" {
				t.Fatalf("Info() = %+v, want %s", i, tc.status)
			}
			st, err := tc.c.Read()
			if tc.c == garbled || tc.c == empty {
				if err == nil || i.Pid != 0 || i.Bundle != "" {
					t.Errorf("a damaged container reports %+v", i)
				}
				return
			}
			if tc.status == Creating {
				if err == nil || i.Pid != 0 || i.Bundle != "" {
					t.Errorf("a container being created reports %+v", i)
				}
				return
			}
			if i.Bundle != st.Bundle || i.Rootfs != st.Rootfs || !i.Created.Equal(st.Created) || i.Annotations["k"] != "v" {
				t.Errorf("Info() = %+v, state %+v", i, st)
			}
			if got := i.Pid != 0; got != tc.pid || (tc.pid && i.Pid != st.Pid) {
				t.Errorf("pid %d, state's %d", i.Pid, st.Pid)
			}
		})
	}
}

func TestOCI(t *testing.T) {
	st := &State{ID: "c1", Pid: 42, Bundle: "/b", Annotations: map[string]string{"k": "v"}}
	for status, pid := range map[string]int{Creating: 42, Created: 42, Running: 42, Stopped: 0} {
		o := st.OCI(status)
		if o.ID != "c1" || string(o.Status) != status || o.Pid != pid || o.Bundle != "/b" || o.Annotations["k"] != "v" || o.Version == "" {
			t.Errorf("OCI(%s) = %+v", status, o)
		}
	}
}

func TestLoadState(t *testing.T) {
	root := t.TempDir()
	if _, _, err := LoadState(root, "nope"); !errors.Is(err, ErrNotExist) {
		t.Errorf("LoadState of an unknown container: %v", err)
	}
	c, err := Create(root, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadState(root, "c1"); err == nil || !strings.Contains(err.Error(), "container c1 is still being created") {
		t.Errorf("LoadState of a container without state: %v", err)
	}
	if _, _, _, err := LoadLocked(root, "c1"); err == nil || !strings.Contains(err.Error(), "still being created") {
		t.Errorf("LoadLocked of a container without state: %v", err)
	}
	if locked(t, c) {
		t.Fatal("LoadLocked failing kept the lock")
	}
	if err := c.Save(&State{ID: "c1", Pid: 7}); err != nil {
		t.Fatal(err)
	}
	if _, st, err := LoadState(root, "c1"); err != nil || st.Pid != 7 {
		t.Errorf("LoadState = %+v, %v", st, err)
	}
	_, st, unlock, err := LoadLocked(root, "c1")
	if err != nil || st.Pid != 7 {
		t.Fatalf("LoadLocked = %+v, %v", st, err)
	}
	if !locked(t, c) {
		t.Error("LoadLocked did not take the lock")
	}
	unlock()
	if locked(t, c) {
		t.Error("unlock kept the lock")
	}
}

// locked reports whether another goC would wait for c's lock.
func locked(t *testing.T, c *Container) bool {
	f, err := os.Open(c.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if err != nil && !errors.Is(err, unix.EWOULDBLOCK) {
		t.Fatal(err)
	}
	return err != nil
}

func TestImageInUse(t *testing.T) {
	root := t.TempDir()
	for cid, image := range map[string]string{"a": "alpine", "b": ""} {
		c, err := Create(root, cid)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Save(&State{ID: cid, Image: image}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Create(root, "creating"); err != nil {
		t.Fatal(err)
	}
	for image, want := range map[string]bool{"alpine": true, "debian": false} {
		if got := ImageInUse(root, image); got != want {
			t.Errorf("ImageInUse(%s) = %v", image, got)
		}
	}
}

func TestOrphans(t *testing.T) {
	root := t.TempDir()
	me, err := Self()
	if err != nil || me.PID != os.Getpid() {
		t.Fatalf("Self() = %+v, %v", me, err)
	}
	if start, _ := process.StartTime(os.Getpid()); me.Start != start {
		t.Errorf("Self().Start = %d, want %d", me.Start, start)
	}
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	for cid, runBy := range map[string]*Owner{
		"orphan":     {PID: gone.Process.Pid, Start: me.Start},
		"mine":       me,
		"background": nil,
	} {
		c, err := Create(root, cid)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Save(&State{ID: cid, RunBy: runBy}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Create(root, "creating"); err != nil {
		t.Fatal(err)
	}
	if got := Orphans(root); strings.Join(got, " ") != "orphan" {
		t.Errorf("Orphans = %v, want [orphan]", got)
	}
	if got := Orphans(filepath.Join(root, "none")); len(got) != 0 {
		t.Errorf("Orphans of an empty root = %v", got)
	}
}
