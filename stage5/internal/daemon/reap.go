package daemon

import (
	"os"
	"os/exec"

	"golang.org/x/sys/unix"
)

// reapChild collects cmd's exit status when it ends, so that no zombie is left,
// without holding an OS thread meanwhile. cmd.Wait would: it blocks in
// waitid, a thread per running shim — 209 threads for 200 containers, and
// at 10,000 Go's limit on threads, a fatal error. Instead a pidfd of the
// child, made non-blocking, waits in Go's netpoller (epoll says when the
// process has ended) and waitid(P_PIDFD, WNOHANG) then reaps it: a parked
// goroutine and one descriptor per shim, as before. Where there is no
// pidfd (kernels before 5.3), cmd.Wait it is.
func reapChild(cmd *exec.Cmd) {
	pid := cmd.Process.Pid
	fd, err := unix.PidfdOpen(pid, 0)
	if err == nil {
		err = unix.SetNonblock(fd, true)
		if err != nil {
			unix.Close(fd)
		}
	}
	if err != nil {
		go cmd.Wait() //nolint:errcheck // reaped: its status is the shim's files' business
		return
	}
	// The child is ours and not yet waited for, so the pid cannot have
	// been reused before pidfd_open: fd is the shim's. os/exec's own
	// handle (a pidfd of its own) is let go; this one takes its place.
	_ = cmd.Process.Release()
	f := os.NewFile(uintptr(fd), "pidfd")
	rc, err := f.SyscallConn()
	if err != nil { // (only for a nil file)
		f.Close()
		go unix.Wait4(pid, nil, 0, nil) //nolint:errcheck // as cmd.Wait
		return
	}
	go func() {
		defer f.Close()
		wait := func(fd uintptr, options int) bool {
			var info unix.Siginfo
			for {
				err := unix.Waitid(unix.P_PIDFD, int(fd), &info, unix.WEXITED|options, nil)
				if err == unix.EINTR {
					continue
				}
				// Reaped (si_signo SIGCHLD), or nothing left to wait
				// for (an error): done. Still running: wait for epoll.
				return err != nil || info.Signo != 0
			}
		}
		err := rc.Read(func(fd uintptr) bool { return wait(fd, unix.WNOHANG) })
		if err != nil { // not in the netpoller after all: block, as cmd.Wait
			_ = rc.Control(func(fd uintptr) { wait(fd, 0) })
		}
	}()
}
