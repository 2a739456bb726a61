package pty

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// userTerminal is the terminal of the user goC relays a container's
// terminal to, found as runc finds it: the first of stderr, stdout and
// stdin that is a terminal, else the controlling terminal (/dev/tty).
// stdin need not be the terminal: it is copied in all the same. close
// closes what was opened here; nil when there is no terminal at all.
func userTerminal() (t *os.File, close func()) {
	for _, f := range []*os.File{os.Stderr, os.Stdout, os.Stdin} {
		if IsTerminal(f) {
			return f, func() {}
		}
	}
	f, err := os.OpenFile("/dev/tty", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, func() {}
	}
	return f, func() { f.Close() }
}

// StartSize is the size a container's terminal starts with: that of the
// user's terminal when goC relays to it (relayed) and there is one, else
// the configured size (process.consoleSize), as runc.
func StartSize(relayed bool, configured Winsize) Winsize {
	if !relayed {
		return configured
	}
	t, done := userTerminal()
	defer done()
	if t == nil {
		return configured
	}
	return Size(t)
}

// RelayUser relays a container's terminal (master) to goC's caller: stdin
// is copied in, the container's output out to stdout, and the user's
// terminal, if there is one, is made raw and its size followed. With no
// terminal at all the copying goes on all the same (runc refuses: "open
// /dev/tty"). done is closed once the container's output is all out;
// restore gives the user's terminal its mode back.
func RelayUser(master *os.File) (done <-chan struct{}, restore func(), err error) {
	t, closeT := userTerminal()
	if t == nil {
		return relay(master, nil, os.Stdin, os.Stdout), closeT, nil
	}
	undo, err := MakeRaw(t)
	if err != nil {
		closeT()
		return nil, nil, err
	}
	return relay(master, t, os.Stdin, os.Stdout), func() { undo(); closeT() }, nil
}

// Own gives the terminal's slave end to uid, the process's user, as runc
// does, so that it may use its terminal; the group (devpts's tty) stays.
// A uid or owner this user namespace does not map leaves it as it is.
func Own(slave *os.File, uid uint32) error {
	err := unix.Fchown(int(slave.Fd()), int(uid), -1)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EPERM) {
		return nil
	}
	return os.NewSyscallError("chown terminal", err)
}
