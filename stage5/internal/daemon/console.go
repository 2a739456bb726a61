package daemon

import (
	"errors"
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// receiveConsole accepts one connection on l and returns the terminal
// master it passes (SCM_RIGHTS), as goC's --console-socket sends it
// (shared/pty.SendConsole). It fails once l is closed.
func receiveConsole(l *net.UnixListener) (*os.File, error) {
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
