package state

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"goc.dev/shared/process"
)

func TestLifecycle(t *testing.T) {
	root := t.TempDir()
	c, err := Create(root, "web-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Create(root, "web-1"); !errors.Is(err, ErrExist) {
		t.Fatalf("duplicate Create = %v, want ErrExist", err)
	}
	if s, err := c.Read(); !os.IsNotExist(err) || c.Status(s) != Creating {
		t.Fatalf("before Save: %v, %v", s, err)
	}

	// A live process with the exec fifo present is created, then running.
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	start, err := process.StartTime(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	st := &State{OCIVersion: "1.2.0", ID: "web-1", Pid: cmd.Process.Pid, Start: start, Bundle: "/b"}
	if err := c.Save(st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.Fifo(), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := c.Read()
	if err != nil || got.Pid != st.Pid {
		t.Fatalf("Read = %+v, %v", got, err)
	}
	if s := c.Status(got); s != Created {
		t.Fatalf("status = %s, want created", s)
	}
	os.Remove(c.Fifo())
	if s := c.Status(got); s != Running {
		t.Fatalf("status = %s, want running", s)
	}
	// The same PID with another start time is another process: stopped.
	reused := *got
	reused.Start++
	if s := c.Status(&reused); s != Stopped {
		t.Fatalf("status with a reused PID = %s, want stopped", s)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if s := c.Status(got); s != Stopped {
		t.Fatalf("status after death = %s, want stopped", s)
	}

	l, err := List(root)
	if err != nil || len(l) != 1 || l[0].ID != "web-1" {
		t.Fatalf("List = %v, %v", l, err)
	}
	if err := c.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(root, "web-1"); !errors.Is(err, ErrNotExist) {
		t.Fatalf("Load after Remove = %v", err)
	}
}

func TestHostileIDs(t *testing.T) {
	root := t.TempDir()
	for _, bad := range []string{"", ".", "..", "../x", "a/b", "/abs", "x y", strings.Repeat("a", 1025)} {
		if _, err := Create(root, bad); err == nil {
			t.Errorf("Create(%q) succeeded", bad)
		}
		if _, err := Load(root, bad); err == nil || errors.Is(err, ErrNotExist) {
			t.Errorf("Load(%q) = %v, want a validation error", bad, err)
		}
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 0 {
		t.Fatalf("hostile IDs created %d entries", len(entries))
	}
}

// Unbind detaches the rootfs bind of a container without a mount
// namespace, with what was mounted on it, and tolerates one already gone.
func TestUnbind(t *testing.T) {
	root := t.TempDir()
	if err := unix.Mount(root, root, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		t.Fatalf("bind (the unit tests run as root): %v", err)
	}
	if err := os.Mkdir(filepath.Join(root, "proc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", filepath.Join(root, "proc"), "tmpfs", 0, ""); err != nil {
		t.Fatal(err)
	}
	st := &State{Rootfs: root, Bound: true}
	if err := st.Unbind(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), " "+root+" ") || strings.Contains(string(b), " "+root+"/proc ") {
		t.Fatalf("%s still mounted after Unbind", root)
	}
	if err := st.Unbind(); err != nil {
		t.Errorf("second Unbind: %v", err)
	}
	if err := (&State{Rootfs: root}).Unbind(); err != nil {
		t.Errorf("Unbind of a container that was not bound: %v", err)
	}
}

// Discard removes the directory as it is, a damaged state.json with it,
// and reads nothing: it is for the goC that owns the container.
func TestDiscard(t *testing.T) {
	root := t.TempDir()
	c, err := Create(root, "web-2")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.Dir, StateFile), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := c.Discard(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.Dir); !os.IsNotExist(err) {
		t.Fatalf("after Discard: %v", err)
	}
}
