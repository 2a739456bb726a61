// Command goC-shim is the long-lived part of a container's shim: "goC
// shim" (stage5/cmd/goC) execs it in place, same PID, once the container
// runs, so that what stays in memory for the container's whole life is
// this small program rather than the whole goC binary (issue 16):
//
//	goC shim --dir DIR -- run …      sets up, starts the container
//	  │ exec (same PID)
//	goC-shim shim --dir DIR --monitor PID FD
//	  │ copies FD (the container's output) into the log, with its
//	  │ times; forwards signals to PID; waits for PID
//	  │ exec (same PID)
//	goC shim --dir DIR --finish STATUS
//	    cleans up (network, cgroup, state), writes the result
//
// Its imports stay few (x/sys/unix, the standard library, the leaf
// packages shim and process): each package's start-up costs every
// running container memory. Its command line keeps "shim --dir DIR", by
// which goCd finds a shim (shim.Dir.FindShim).
package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"goc.dev/shared/process"
	"goc.dev/stage5/shim"
)

// The main goroutine stays on the main thread, the thread group's leader:
// the exec at the end then keeps the PID's leader, and the process never
// looks gone to goCd (a leader left as a zombie while another thread
// execs, as when Go execs from any thread).
func init() { runtime.LockOSThread() }

func main() {
	a := os.Args[1:]
	if len(a) != 6 || a[0] != shim.VerbName || a[1] != "--dir" || a[3] != shim.MonitorFlag {
		fmt.Fprintln(os.Stderr, "goC-shim: usage: goC-shim shim --dir DIR --monitor PID FD (goC shim execs it)")
		os.Exit(process.StatusRuntimeError)
	}
	dir := shim.Dir(a[2])
	pid, err1 := strconv.Atoi(a[4])
	fd, err2 := strconv.Atoi(a[5])
	if err := errors.Join(err1, err2); err != nil {
		fmt.Fprintln(os.Stderr, "goC-shim:", err)
		os.Exit(process.StatusRuntimeError)
	}
	status := monitor(dir, pid, fd)
	finish(dir, status)
}

// monitor copies the container's output into the log until the container
// has ended, and returns its exit status.
func monitor(dir shim.Dir, pid, fd int) int {
	_ = unix.SetNonblock(fd, true) // read through the runtime's poller
	r := os.NewFile(uintptr(fd), "output")
	// This process's own stdout and stderr (the pipe's write end, as
	// goC shim had them) become the log: the copy then sees the pipe's
	// end once the container's processes have all gone.
	if log, err := os.OpenFile(dir.Log(), os.O_WRONLY|os.O_APPEND|unix.O_CLOEXEC, 0); err == nil {
		for _, out := range []int{1, 2} {
			_ = unix.Dup2(int(log.Fd()), out)
		}
		log.Close()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := dir.CopyLog(r); err != nil {
			slog.Warn("goC-shim: log", "err", err)
		}
	}()
	stop := process.Forward(pid)
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.EINTR) {
			slog.Warn("goC-shim: wait for the container", "pid", pid, "err", err)
			return process.StatusRuntimeError
		}
	}
	stop()
	// The log is whole before the result says the container has ended:
	// a little while for the last bytes of what the container left.
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	return process.ExitStatus(syscall.WaitStatus(ws))
}

// finish execs "goC shim --finish" beside this binary, for the clean-up
// that needs the whole runtime; failing that, it records the status
// itself (the container's resources are then reclaimed later, as a
// dead goC's are).
func finish(dir shim.Dir, status int) {
	self, err := os.Executable()
	if err == nil {
		goC := filepath.Join(filepath.Dir(self), "goC")
		err = unix.Exec(goC, []string{goC, shim.VerbName, "--dir", string(dir), shim.FinishFlag, strconv.Itoa(status)}, os.Environ())
		err = fmt.Errorf("exec %s: %w", goC, err)
	}
	slog.Warn("goC-shim: finish", "err", err)
	if err := dir.WriteResult(shim.Result{Status: status}); err != nil {
		slog.Warn("goC-shim: result", "err", err)
		os.Exit(process.StatusRuntimeError)
	}
	os.Exit(status)
}
