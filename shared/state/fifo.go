package state

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// The exec fifo holds a created container's init until "goC start": the
// init opens it for writing, which blocks until start opens it for
// reading; it writes one byte, then keeps it open until it execs the
// workload (close-on-exec), writing why it failed if it does. The fifo
// exists from create to start, which is how Status tells created from
// running.

// MakeFifo creates the exec fifo. Mode 0622: the init opens it after it
// has become the container's user (the state directory, 0711, keeps
// others from finding it), through a handle the parent opened (O_PATH)
// before the init's pivot.
func (c *Container) MakeFifo() error {
	if err := unix.Mkfifo(c.Fifo(), 0o622); err != nil {
		return &os.PathError{Op: "mkfifo", Path: c.Fifo(), Err: err}
	}
	return os.Chmod(c.Fifo(), 0o622) // past the umask
}

// AwaitStart is the init's side: it opens the fifo at path for writing,
// blocking until start opens it for reading, and writes the byte start
// waits for. The fifo it returns is close-on-exec, at a descriptor of at
// least min, out of the way of those the init hands on to the workload.
func AwaitStart(path string, min int) (*os.File, error) {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: "exec fifo", Err: err}
	}
	moved, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, min)
	unix.Close(fd)
	if err != nil {
		return nil, os.NewSyscallError("fcntl F_DUPFD_CLOEXEC", err)
	}
	f := os.NewFile(uintptr(moved), "exec fifo")
	if _, err := f.Write([]byte{0}); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Release is start's side: it opens the fifo for reading, which lets the
// init go on, reads its byte and removes the fifo. With toEnd it reads on
// to the end — the init's end closes when it execs the workload — and
// returns what the init wrote before it as an error. alive reports whether
// the init still lives, so that a dead one is an error rather than a hang.
func (c *Container) Release(toEnd bool, alive func() bool) error {
	f, err := os.OpenFile(c.Fifo(), os.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		return fmt.Errorf("container is not waiting to start: %w", err)
	}
	defer f.Close()
	defer os.Remove(c.Fifo())
	buf := make([]byte, 4096)
	var got []byte
	for {
		n, err := unix.Read(int(f.Fd()), buf)
		switch {
		case n > 0:
			got = append(got, buf[:n]...)
			if !toEnd {
				return nil
			}
			continue
		case n == 0 && err == nil && len(got) > 0: // the end, after the byte
			if len(got) > 1 {
				return errors.New(string(got[1:]))
			}
			return nil
		case err != nil && err != unix.EAGAIN:
			return fmt.Errorf("exec fifo: %w", err)
		}
		if len(got) == 0 && !alive() {
			// Between the read above and now the init may have written
			// its byte, exec'd, and its workload ended: look once more.
			if n, _ := unix.Read(int(f.Fd()), buf); n > 0 {
				got = append(got, buf[:n]...)
				if !toEnd {
					return nil
				}
				continue
			}
			return errors.New("container init exited before start")
		}
		fds := []unix.PollFd{{Fd: int32(f.Fd()), Events: unix.POLLIN}}
		_, _ = unix.Poll(fds, 50)
	}
}
