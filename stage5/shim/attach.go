package shim

import (
	"fmt"
	"net"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// An attachable container (goC-cli run -i, -t) keeps its input open and
// its output relayed: goCd writes AttachFile before it starts the shim,
// and the shim listens on AttachSocket, where goCd connects a client's
// stream (see stage5/cmd/goC/attach.go for the protocol).
const (
	AttachFile   = "attach.json"
	AttachSocket = "attach.sock"
	// ConsoleSocket is where goC run hands the shim the terminal's master.
	ConsoleSocket = "console.sock"
)

// Attach is how a container is attached to.
type Attach struct {
	Stdin bool `json:"stdin"` // its input is open, for attached clients
	Tty   bool `json:"tty"`   // it has a terminal, whose master the shim holds
	// Client: a client attaches right away (goC-cli run -i/-t, not -d):
	// a container that ends first waits for it (FirstClientTimeout at the
	// most), so that the client gets its output and its end.
	Client bool `json:"client,omitempty"`
}

// FirstClientTimeout bounds how long a shim keeps an ended container
// (Attach.Client) for the client that was to attach.
const FirstClientTimeout = 10 * time.Second

// WriteAttach and ReadAttach write and read AttachFile.
func (d Dir) WriteAttach(a Attach) error        { return d.write(AttachFile, a) }
func (d Dir) ReadAttach() (a Attach, err error) { return a, d.read(AttachFile, &a) }

// Socket returns a path to the socket name in d that fits in a socket
// address (108 bytes) however long d's path is: through /proc/self/fd and
// a descriptor of d, which done closes (once the socket is bound or
// dialled).
func (d Dir) Socket(name string) (path string, done func(), err error) {
	fd, err := unix.Open(string(d), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", d, err)
	}
	return fmt.Sprintf("/proc/self/fd/%d/%s", fd, filepath.Base(name)), func() { unix.Close(fd) }, nil
}

// ListenUnix listens on the socket name in d.
func (d Dir) ListenUnix(name string) (*net.UnixListener, error) {
	path, done, err := d.Socket(name)
	if err != nil {
		return nil, err
	}
	defer done()
	return net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
}

// DialUnix connects to the socket name in d.
func (d Dir) DialUnix(name string) (*net.UnixConn, error) {
	path, done, err := d.Socket(name)
	if err != nil {
		return nil, err
	}
	defer done()
	return net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
}
