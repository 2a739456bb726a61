// Package console passes a terminal's master end over a unix socket, as
// runc's --console-socket does for container managers that hold the
// terminal themselves. It is apart from pty so that goC-init, which makes
// the terminal but never sends it, does not link package net.
package console

import (
	"errors"
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// Send passes a terminal's master end to the unix socket at path
// (SCM_RIGHTS, with the master's name as the message).
func Send(path string, master *os.File) error {
	c, err := net.Dial("unix", path)
	if err != nil {
		return fmt.Errorf("console socket: %w", err)
	}
	defer c.Close()
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return fmt.Errorf("console socket %s is not a unix socket", path)
	}
	_, _, err = uc.WriteMsgUnix([]byte(master.Name()), unix.UnixRights(int(master.Fd())), nil)
	if err != nil {
		return fmt.Errorf("console socket: %w", err)
	}
	return nil
}

// Receive accepts one connection on l and returns the terminal master it
// passes (SCM_RIGHTS), as Send sends it. It fails once l is closed.
func Receive(l *net.UnixListener) (*os.File, error) {
	c, err := l.AcceptUnix()
	if err != nil {
		return nil, fmt.Errorf("console socket: %w", err)
	}
	defer c.Close()
	name := make([]byte, 4096)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := c.ReadMsgUnix(name, oob)
	if err != nil {
		return nil, fmt.Errorf("console socket: %w", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return nil, errors.New("console socket: no terminal passed")
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return nil, errors.New("console socket: no terminal passed")
	}
	return os.NewFile(uintptr(fds[0]), string(name[:n])), nil
}
