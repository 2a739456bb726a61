package namespace

import (
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// Run calls fn on a thread in the namespaces: a path that exists only in
// another mount namespace (a tmpfs mounted there alone) opens, and what
// it opened stays open afterwards; the caller stays in its own.
func TestRunMount(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command("sh", "-c", "mount -t tmpfs t "+dir+" && echo only-there > "+dir+"/f && echo ready && exec sleep 60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS, Unshareflags: syscall.CLONE_NEWNS}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if _, err := out.Read(make([]byte, 6)); err != nil {
		t.Fatal(err)
	}
	s, err := Open(cmd.Process.Pid, Mount)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var f *os.File
	if err := s.Run(func() (err error) { f, err = os.Open(dir + "/f"); return err }); err != nil {
		t.Fatalf("Run: %v", err)
	}
	defer f.Close()
	buf := make([]byte, 64)
	n, _ := f.Read(buf)
	if string(buf[:n]) != "only-there\n" {
		t.Fatalf("read %q through the file Run opened", buf[:n])
	}
	if _, err := os.Stat(dir + "/f"); err == nil {
		t.Fatal("the caller sees the other namespace's file")
	}
}
