// Package pty gives a container a terminal of its own: the init opens a
// pseudo-terminal in the container's devpts, makes the slave its controlling
// terminal and hands the master to goC, which relays it to the user's
// terminal (set to raw mode, so Ctrl-C travels as a byte and the container's
// line discipline turns it into SIGINT for the container's foreground job).
package pty

import (
	"io"
	"os"
	"os/signal"

	"golang.org/x/sys/unix"
)

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// Open allocates a pseudo-terminal from the devpts mounted at /dev/pts of
// the caller's mount namespace. The slave is opened from the master
// (TIOCGPTPEER), never by a path a rootfs could redirect.
func Open() (master, slave *os.File, err error) {
	m, err := unix.Open("/dev/pts/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, &os.PathError{Op: "open", Path: "/dev/pts/ptmx", Err: err}
	}
	master = os.NewFile(uintptr(m), "pty-master")
	if err := unix.IoctlSetPointerInt(m, unix.TIOCSPTLCK, 0); err != nil {
		master.Close()
		return nil, nil, os.NewSyscallError("unlock pty", err)
	}
	s, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(m), unix.TIOCGPTPEER, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC)
	if errno != 0 {
		master.Close()
		return nil, nil, os.NewSyscallError("open pty slave", errno)
	}
	return master, os.NewFile(s, "pty-slave"), nil
}

// Attach makes slave the caller's stdin, stdout, stderr and controlling
// terminal, in a new session. It is the last thing the init does with the
// terminal before exec.
func Attach(slave *os.File) error {
	// A new session, unless the process leads one already.
	if _, err := unix.Setsid(); err != nil {
		if sid, _ := unix.Getsid(0); sid != unix.Getpid() {
			return os.NewSyscallError("setsid", err)
		}
	}
	fd := int(slave.Fd())
	if err := unix.IoctlSetInt(fd, unix.TIOCSCTTY, 0); err != nil {
		return os.NewSyscallError("set controlling terminal", err)
	}
	for i := 0; i < 3; i++ {
		if err := unix.Dup3(fd, i, 0); err != nil {
			return os.NewSyscallError("dup3", err)
		}
	}
	return slave.Close()
}

// Winsize is a terminal's size.
type Winsize struct{ Rows, Cols uint16 }

// Size returns f's size; zero if f is not a terminal.
func Size(f *os.File) Winsize {
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return Winsize{}
	}
	return Winsize{Rows: ws.Row, Cols: ws.Col}
}

// Resize sets f's size; a zero size is left alone.
func Resize(f *os.File, ws Winsize) error {
	if ws.Rows == 0 || ws.Cols == 0 {
		return nil
	}
	return unix.IoctlSetWinsize(int(f.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: ws.Rows, Col: ws.Cols})
}

// MakeRaw puts the terminal f into raw mode and returns how to undo it.
func MakeRaw(f *os.File) (restore func(), err error) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, os.NewSyscallError("get terminal mode", err)
	}
	raw := *old
	raw.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	raw.Oflag &^= unix.OPOST
	raw.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	raw.Cflag &^= unix.CSIZE | unix.PARENB
	raw.Cflag |= unix.CS8
	raw.Cc[unix.VMIN] = 1
	raw.Cc[unix.VTIME] = 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &raw); err != nil {
		return nil, os.NewSyscallError("set terminal mode", err)
	}
	return func() { _ = unix.IoctlSetTermios(fd, unix.TCSETS, old) }, nil
}

// Relay copies the user's terminal to the container's and back, and keeps
// the container's size in step with the user's window. The returned channel
// is closed once everything the container wrote has reached out (the master
// reads EIO when the last slave holder is gone).
func Relay(master, in, out *os.File) (done <-chan struct{}) {
	return relay(master, in, in, out)
}

// relay copies in to master and master to out, and keeps master's size
// in step with the terminal user's window (none if user is nil).
func relay(master, user, in, out *os.File) (done <-chan struct{}) {
	winch := make(chan os.Signal, 1)
	if user != nil {
		signal.Notify(winch, unix.SIGWINCH)
	}
	go func() {
		for range winch {
			_ = Resize(master, Size(user))
		}
	}()
	go func() { _, _ = io.Copy(master, in) }()
	d := make(chan struct{})
	go func() {
		_, _ = io.Copy(out, master)
		signal.Stop(winch)
		close(d)
	}()
	return d
}
