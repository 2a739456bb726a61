package namespace

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

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
	process := link(t, os.Getpid(), UTS) // the main thread's
	pid := inNew(t)
	set, err := Open(pid, Mount, UTS, Network, IPC)
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	var names []string
	for _, n := range set.ns {
		names = append(names, n.f.Name())
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
	if now := link(t, os.Getpid(), UTS); now != process {
		t.Errorf("the main thread moved from %s to %s", process, now)
	}
	if set.root == nil || set.root.Name() != fmt.Sprintf("/proc/%d/root", pid) {
		t.Errorf("Open: root %v, want the process's (it shares the mount namespace)", set.root)
	}
	if gone, err := Open(1<<22+1, UTS); err != nil || len(gone.ns) != 0 {
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

// TestMain lets the test binary be a process chrooted into
// $GOC_TEST_CHROOT, which waits for its stdin to close, or one that starts
// true in the uts namespace of $GOC_TEST_JOIN from its main goroutine.
func TestMain(m *testing.M) {
	if pid := os.Getenv("GOC_TEST_JOIN"); pid != "" {
		set, err := OpenPaths(map[Type]string{UTS: "/proc/" + pid + "/ns/uts"})
		cmd := exec.Command("true")
		if err == nil {
			err = set.Start(cmd)
		}
		if err == nil {
			err = cmd.Wait()
		}
		uts, _ := os.Readlink("/proc/self/ns/uts")
		fmt.Println(uts, err)
		os.Exit(0)
	}
	if dir := os.Getenv("GOC_TEST_CHROOT"); dir != "" {
		if err := syscall.Chroot(dir); err != nil {
			os.Exit(2)
		}
		fmt.Println("chrooted")
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// inNewPID starts a process in new PID and UTS namespaces and returns its
// PID.
func inNewPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID | syscall.CLONE_NEWUTS}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return cmd.Process.Pid
}

// OpenPaths opens in Order whatever the map lists, each file checked to be
// a namespace of its type; a user namespace is refused.
func TestOpenPaths(t *testing.T) {
	pid := inNewPID(t)
	p := func(ty Type) string { return fmt.Sprintf("/proc/%d/ns/%s", pid, ty) }
	set, err := OpenPaths(map[Type]string{Mount: p(Mount), PID: p(PID), UTS: p(UTS), IPC: p(IPC)})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	var got []string
	for _, n := range set.ns {
		got = append(got, string(n.t)+"="+n.f.Name())
	}
	want := []string{"ipc=" + p(IPC), "uts=" + p(UTS), "pid=" + p(PID), "mnt=" + p(Mount)}
	if fmt.Sprint(got) != fmt.Sprint(want) || set.root != nil {
		t.Errorf("OpenPaths = %v (root %v), want %v", got, set.root, want)
	}
	for _, tc := range []struct {
		paths map[Type]string
		err   string
	}{
		{map[Type]string{PID: p(Network)}, "is not a pid namespace"},
		{map[Type]string{Network: "/nonexistent-goc"}, "no such file"},
		{map[Type]string{User: p(User)}, "joining a user namespace by path is not supported"},
	} {
		if _, err := OpenPaths(tc.paths); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("OpenPaths(%v) error = %v, want it to mention %q", tc.paths, err, tc.err)
		}
	}
}

// A PID namespace entered by path is the child's: it is in it, and not its
// PID 1 (the target is).
func TestStartPID(t *testing.T) {
	pid := inNewPID(t)
	set, err := OpenPaths(map[Type]string{PID: fmt.Sprintf("/proc/%d/ns/pid", pid)})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	var out strings.Builder
	cmd := exec.Command("sh", "-c", "readlink /proc/self/ns/pid; grep NSpid /proc/self/status")
	cmd.Stdout = &out
	if err := set.Start(cmd); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	if lines[0] != link(t, pid, PID) {
		t.Errorf("the child is in %s, want %s", lines[0], link(t, pid, PID))
	}
	if f := strings.Fields(lines[1]); len(f) != 3 || f[2] == "1" {
		t.Errorf("the child's %s: want two PIDs, the inner one not 1", lines[1])
	}
}

// A parent-death signal is tied to the thread that forks: Start keeps that
// thread until the child has ended, so the child outlives Start. Into a
// pid namespace, the child starts without it (Go's fork would kill it).
func TestStartPdeathsig(t *testing.T) {
	pid := inNewPID(t)
	for _, ty := range []Type{UTS, PID} {
		set, err := OpenPaths(map[Type]string{UTS: fmt.Sprintf("/proc/%d/ns/uts", pid), ty: fmt.Sprintf("/proc/%d/ns/%s", pid, ty)})
		if err != nil {
			t.Fatal(err)
		}
		defer set.Close()
		cmd := exec.Command("sh", "-c", "echo $PPID; read x; exit 7")
		attr := &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		cmd.SysProcAttr = attr
		var out strings.Builder
		cmd.Stdout = &out
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := set.Start(cmd); err != nil {
			t.Fatal(err)
		}
		// Give a thread that would end after the fork the time to end:
		// none of ours may still be in the target's namespace then.
		for i := 0; i < 20 && threadIn(t, link(t, pid, UTS)); i++ {
			time.Sleep(10 * time.Millisecond)
		}
		stdin.Close()
		var exit *exec.ExitError
		if err := cmd.Wait(); !errors.As(err, &exit) || exit.ExitCode() != 7 {
			t.Errorf("%s: the child ended with %v, want exit status 7", ty, err)
		}
		if want := map[Type]string{UTS: fmt.Sprintln(os.Getpid()), PID: "0\n"}[ty]; out.String() != want || attr.Pdeathsig != syscall.SIGKILL {
			t.Errorf("%s: parent outside its pid namespace: %q, want %q (caller's Pdeathsig now %v)", ty, out.String(), want, attr.Pdeathsig)
		}
	}
}

// threadIn reports whether one of this process's threads is in uts
// namespace ns.
func threadIn(t *testing.T, ns string) bool {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		if l, _ := os.Readlink("/proc/self/task/" + task.Name() + "/ns/uts"); l == ns {
			return true
		}
	}
	return false
}

// A process in the caller's mount namespace but another root (a container
// without a mount namespace): Start enters that root. /probe exists only
// there, not executable: exec says "permission denied", not "no such file".
func TestStartRoot(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/probe", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	target := exec.Command(self)
	target.Env = append(os.Environ(), "GOC_TEST_CHROOT="+dir)
	stdin, err := target.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := target.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := target.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); _ = target.Wait() }()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); line != "chrooted\n" {
		t.Fatalf("the target says %q, %v", line, err)
	}
	set, err := Open(target.Process.Pid, Mount)
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	probe := exec.Command("/probe")
	probe.Stdin, probe.Stdout, probe.Stderr = os.Stdin, os.Stdout, os.Stderr // else /dev/null, opened in the root
	if err := set.Start(probe); !errors.Is(err, syscall.EACCES) {
		t.Errorf("Start(/probe) = %v, want permission denied (the target's root)", err)
	}
}

// The main thread stays out of the namespaces, even when Start is called
// from the main goroutine: the runtime never ends that thread, and
// /proc/self shows the process through it.
func TestStartFromMain(t *testing.T) {
	pid := inNew(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), fmt.Sprintf("GOC_TEST_JOIN=%d", pid))
	out, err := cmd.Output()
	if want := link(t, os.Getpid(), UTS) + " <nil>\n"; err != nil || string(out) != want {
		t.Errorf("the process is in %q (%v), want %q", out, err, want)
	}
}
