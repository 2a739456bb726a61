package pty

import (
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// SendConsole passes a terminal's master end to the unix socket at path
// (SCM_RIGHTS, with the master's name as the message), as runc does for
// container managers that hold the terminal themselves (--console-socket).
func SendConsole(path string, master *os.File) error {
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
