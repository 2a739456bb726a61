package namespace

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// inNew starts a process in new UTS and IPC namespaces and returns its PID.
func inNew(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUTS | syscall.CLONE_NEWIPC}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd.Process.Pid
}

func link(t *testing.T, pid int, ty Type) string {
	t.Helper()
	l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, ty))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestSame(t *testing.T) {
	pid := inNew(t)
	for ty, want := range map[Type]bool{UTS: false, IPC: false, Mount: true, PID: true, Network: true, User: true} {
		if same, err := Same(pid, ty); err != nil || same != want {
			t.Errorf("Same(%s) = %v, %v; want %v", ty, same, err, want)
		}
		if same, err := Same(os.Getpid(), ty); err != nil || !same {
			t.Errorf("Same(self, %s) = %v, %v", ty, same, err)
		}
	}
	if _, err := Same(1<<22+1, UTS); err == nil {
		t.Error("Same of a process that does not exist: no error")
	}
}

// Open keeps what is not the caller's, in the order asked for; Start runs a
// command there, and leaves the caller where it was.
func TestOpenStart(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before, err := os.Readlink("/proc/thread-self/ns/uts")
	if err != nil {
		t.Fatal(err)
	}
	pid := inNew(t)
	set, err := Open(pid, Mount, UTS, Network, IPC)
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	var names []string
	for _, f := range set {
		names = append(names, f.Name())
	}
	if want := fmt.Sprintf("/proc/%d/ns/uts /proc/%d/ns/ipc", pid, pid); strings.Join(names, " ") != want {
		t.Fatalf("Open: %v, want %s", names, want)
	}
	var out strings.Builder
	cmd := exec.Command("readlink", "/proc/self/ns/uts", "/proc/self/ns/ipc", "/proc/self/ns/mnt")
	cmd.Stdout = &out
	if err := set.Start(cmd); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	want := link(t, pid, UTS) + "\n" + link(t, pid, IPC) + "\n" + link(t, os.Getpid(), Mount) + "\n"
	if out.String() != want {
		t.Errorf("the command ran in\n%s, want\n%s", out.String(), want)
	}
	if mine, _ := os.Readlink("/proc/thread-self/ns/uts"); mine != before {
		t.Errorf("the caller's thread moved from %s to %s", before, mine)
	}
	if gone, err := Open(1<<22+1, UTS); err != nil || len(gone) != 0 {
		t.Errorf("Open of a process that does not exist = %v, %v; want nothing", gone, err)
	}
}

func TestIDMaps(t *testing.T) {
	got := IDMaps([]specs.LinuxIDMapping{{ContainerID: 0, HostID: 100000, Size: 65536}, {ContainerID: 65536, HostID: 1000, Size: 1}})
	want := []syscall.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 65536}, {ContainerID: 65536, HostID: 1000, Size: 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("IDMaps = %v, want %v", got, want)
	}
	if got := IDMaps(nil); len(got) != 0 {
		t.Errorf("IDMaps(nil) = %v", got)
	}
}
