// Package syncsock is the channel between goC and the container's init
// before the workload runs: one SOCK_SEQPACKET socket pair, one JSON value per
// packet, and file descriptors passed alongside when needed (SCM_RIGHTS).
//
// The socket is close-on-exec in the init, so when the workload's exec
// succeeds the parent reads end-of-file: that is how it knows the exec
// happened without the init having to say so.
package syncsock

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// maxPacket bounds one message; a config larger than this is refused.
const maxPacket = 1 << 20

// Message is what the init and the parent say to each other after the
// config has been sent.
type Message struct {
	Type  string `json:"type"`
	Error string `json:"error,omitempty"`
	// Code is the exit status goC should end with for this error
	// (126, 127 for a workload that cannot run; 0 means goC's own 125).
	Code int `json:"code,omitempty"`
	// State is the container's OCI state, for the hooks the init runs.
	State json.RawMessage `json:"state,omitempty"`
}

// Message types.
const (
	Ready = "ready" // init → parent: set up, waiting for Go
	Go    = "go"    // parent → init: exec the workload
	Error = "error" // init → parent: setup failed, init exits
	Pty   = "pty"   // init → parent: the terminal's master end is attached
	// Waiting: init → parent: set up and about to block on the exec fifo
	// until "goC start".
	Waiting = "waiting"
	// Hooks: init → parent: mounts made, about to pivot; the parent runs
	// the prestart and createRuntime hooks and answers HooksDone.
	Hooks     = "hooks"
	HooksDone = "hooks-done"
	// Seccomp: init → parent, with the seccomp filter's notify descriptor,
	// which goC hands to the seccomp agent (linux.seccomp.listenerPath).
	Seccomp = "seccomp"
	// Cgroup: parent → init, right after the config, with one of the
	// files the init joins its cgroup through (Config.CgroupFiles of them).
	Cgroup = "cgroup"
)

// Conn is one end of the pair.
type Conn struct {
	f        *os.File
	handlers map[string]func(*os.File) error
}

// Handle makes Recv and RecvFile give each message of type typ, with its
// descriptor (closed after), to h and read on: a message that may come
// between any two others, such as Seccomp. An error from h is theirs.
func (c *Conn) Handle(typ string, h func(*os.File) error) {
	if c.handlers == nil {
		c.handlers = map[string]func(*os.File) error{}
	}
	c.handlers[typ] = h
}

// SendSeccomp sends the seccomp notify descriptor (init → parent).
func (c *Conn) SendSeccomp(f *os.File) error { return c.SendFile(Message{Type: Seccomp}, f) }

// Pair makes a connected, close-on-exec pair: one end for goC, one to hand
// to the init process (for example through exec.Cmd.ExtraFiles).
func Pair() (parent, child *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, os.NewSyscallError("socketpair", err)
	}
	// Big enough for any config we accept, so Send never reports EMSGSIZE
	// for a message under maxPacket.
	for _, fd := range fds {
		_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, maxPacket)
	}
	return os.NewFile(uintptr(fds[0]), "sync-parent"), os.NewFile(uintptr(fds[1]), "sync-child"), nil
}

// New wraps one end of a pair.
func New(f *os.File) *Conn { return &Conn{f: f} }

// File returns the socket.
func (c *Conn) File() *os.File { return c.f }

// MoveAbove moves the connection to a descriptor number at least min
// (close-on-exec still), freeing the one it had: the init does so before
// it puts descriptors it hands on at 3, 4, ….
func (c *Conn) MoveAbove(min int) error {
	fd, err := unix.FcntlInt(c.f.Fd(), unix.F_DUPFD_CLOEXEC, min)
	if err != nil {
		return os.NewSyscallError("fcntl F_DUPFD_CLOEXEC", err)
	}
	old := c.f
	c.f = os.NewFile(uintptr(fd), old.Name())
	return old.Close()
}

// Close closes the socket.
func (c *Conn) Close() error { return c.f.Close() }

// Send writes v as one packet.
func (c *Conn) Send(v any) error { return c.SendFile(v, nil) }

// SendFile writes v as one packet with f's descriptor attached.
func (c *Conn) SendFile(v any, f *os.File) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode message: %w", err)
	}
	if len(b) > maxPacket {
		return fmt.Errorf("message of %d bytes exceeds the limit of %d", len(b), maxPacket)
	}
	var oob []byte
	if f != nil {
		oob = unix.UnixRights(int(f.Fd()))
	}
	if err := unix.Sendmsg(int(c.f.Fd()), b, oob, nil, 0); err != nil {
		return os.NewSyscallError("sendmsg", err)
	}
	return nil
}

// Recv reads one packet into v. It returns io.EOF once the other end is
// closed (or, for the parent, once the init has exec'd the workload).
func (c *Conn) Recv(v any) error {
	f, err := c.RecvFile(v)
	if f != nil {
		f.Close()
	}
	return err
}

// RecvFile reads one packet into v and returns the descriptor that came
// with it, if any. Messages with a handler go to it first.
func (c *Conn) RecvFile(v any) (*os.File, error) {
	for {
		buf, file, err := c.recv()
		if err != nil {
			return nil, err
		}
		var m Message
		if len(c.handlers) > 0 && json.Unmarshal(buf, &m) == nil && c.handlers[m.Type] != nil {
			err := c.handlers[m.Type](file)
			if file != nil {
				file.Close()
			}
			if err != nil {
				return nil, err
			}
			continue
		}
		if err := json.Unmarshal(buf, v); err != nil {
			if file != nil {
				file.Close()
			}
			return nil, fmt.Errorf("decode message: %w", err)
		}
		return file, nil
	}
}

// recv reads one packet and the descriptor that came with it, if any.
func (c *Conn) recv() ([]byte, *os.File, error) {
	// Peek at the packet's size first (MSG_TRUNC reports it; without a
	// control buffer no descriptor is installed), so the buffer fits it.
	size, _, _, _, err := unix.Recvmsg(int(c.f.Fd()), nil, nil, unix.MSG_PEEK|unix.MSG_TRUNC)
	if err != nil {
		return nil, nil, os.NewSyscallError("recvmsg", err)
	}
	buf := make([]byte, max(size, 1))
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := unix.Recvmsg(int(c.f.Fd()), buf, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil {
		return nil, nil, os.NewSyscallError("recvmsg", err)
	}
	var file *os.File
	if oobn > 0 {
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err == nil && len(msgs) == 1 {
			if fds, err := unix.ParseUnixRights(&msgs[0]); err == nil && len(fds) == 1 {
				file = os.NewFile(uintptr(fds[0]), "received")
			}
		}
	}
	if n == 0 && file == nil {
		return nil, nil, io.EOF
	}
	return buf[:n], file, nil
}

// PeerClosed reports, without blocking, whether the other end is closed:
// once its process has died, for one. (Any message still unread is left
// where it is.)
func (c *Conn) PeerClosed() bool {
	fds := []unix.PollFd{{Fd: int32(c.f.Fd()), Events: unix.POLLRDHUP}}
	n, err := unix.Poll(fds, 0)
	for err == unix.EINTR {
		n, err = unix.Poll(fds, 0)
	}
	return err == nil && n > 0 && fds[0].Revents&(unix.POLLHUP|unix.POLLRDHUP) != 0
}
