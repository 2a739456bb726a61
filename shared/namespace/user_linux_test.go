package namespace

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// Start puts the process it starts into another process's user namespace
// (and the others of the set), though no thread of this test can enter
// it; the namespace's file passed for it (fd 3) is closed again.
func TestStartUser(t *testing.T) {
	holder := exec.Command("sleep", "60")
	holder.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWUTS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 1000}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 100000, Size: 1000}},
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = holder.Process.Kill(); _ = holder.Wait() })
	pid := holder.Process.Pid

	s, err := Open(pid, UTS, User)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cmd := exec.Command("sh", "-c", "readlink /proc/self/ns/user; readlink /proc/self/ns/uts; cat /proc/self/uid_map; test -e /proc/$$/fd/3 && echo fd3-open || echo fd3-closed")
	var out strings.Builder
	cmd.Stdout = &out
	if err := s.Start(cmd); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("wait: %v", err)
	}
	got := strings.Fields(out.String())
	want := []string{link(t, pid, User), link(t, pid, UTS), "0", "100000", "1000", "fd3-closed"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("in the namespaces: %q, want %q", got, want)
	}
}
