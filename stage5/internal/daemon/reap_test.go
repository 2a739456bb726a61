package daemon

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// threads is this process's count of OS threads.
func threads(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	t.Fatal("no Threads: in /proc/self/status")
	return 0
}

// reaped: the process is gone, not even a zombie.
func reaped(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return os.IsNotExist(err)
}

func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	return err == nil && strings.Contains(string(b), ") Z ")
}

// goCd reaps each shim it starts when it ends, without an OS thread per
// running shim: a goroutine blocked in waitid holds a thread, and goCd
// with 10,000 containers would reach Go's limit of 10,000 threads (a
// fatal error) — 200 containers held 209 threads (make bench-scale).
func TestReapHoldsNoThreadPerChild(t *testing.T) {
	const n = 64
	before := threads(t)
	// The pids, kept before reapChild: it releases cmd.Process, whose Pid is -1
	// afterwards (and kill(-1) signals every process one may).
	var pids []int
	for range n {
		cmd := exec.Command("sleep", "60")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		pids = append(pids, cmd.Process.Pid)
		reapChild(cmd)
	}
	time.Sleep(200 * time.Millisecond) // the waiters are parked
	if now := threads(t); now-before >= n/2 {
		t.Errorf("%d children waited for: threads %d → %d", n, before, now)
	}
	// One that has already ended (a zombie) when it is handed over.
	quick := exec.Command("true")
	if err := quick.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); !zombie(quick.Process.Pid) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	quickPid := quick.Process.Pid
	reapChild(quick)
	for _, pid := range pids { // the sleepers, not the one already ended (its pid may be reused)
		if pid > 0 {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	for _, pid := range append(pids, quickPid) {
		deadline := time.Now().Add(10 * time.Second)
		for !reaped(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("child %d not reaped 10 s after it was killed", pid)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}
