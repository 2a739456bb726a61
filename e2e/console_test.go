package e2e

import (
	"fmt"
	"io"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// console SOCKET plays a container manager's end of --console-socket: it
// listens on SOCKET, receives the terminal's master end (SCM_RIGHTS), types
// a command into it and prints what comes back until the terminal closes.
func console() {
	if len(os.Args) != 2 {
		fatalf("usage: console socket")
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: os.Args[1], Net: "unix"})
	if err != nil {
		fatalf("console: %v", err)
	}
	fmt.Println("listening")
	c, err := l.AcceptUnix()
	if err != nil {
		fatalf("console: %v", err)
	}
	buf, oob := make([]byte, 4096), make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		fatalf("console: %v", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		fatalf("console: no descriptor received: %v", err)
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		fatalf("console: no descriptor received: %v", err)
	}
	master := os.NewFile(uintptr(fds[0]), "master")
	fmt.Println("got terminal")
	master.WriteString("tty; echo console-$((40+2)); exit 3\r")
	io.Copy(os.Stdout, master) // until EIO: the container's side is gone
	fmt.Println("\nterminal closed")
}
