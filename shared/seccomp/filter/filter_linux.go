// Package filter is a compiled seccomp filter as the container's init
// receives, checks and loads it. It is apart from package seccomp, which
// compiles it, so that the init links none of the compiler (its
// architecture tables cost every process start their initialisation).
package filter

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Program is a compiled filter: what the init loads. With SCMP_ACT_NOTIFY
// rules it is loaded with a listener, whose descriptor goes to the seccomp
// agent at Listener (linux.seccomp.listenerPath).
type Program struct {
	Flags    uint              `json:"flags,omitempty"`
	Filter   []unix.SockFilter `json:"filter"`
	Listener string            `json:"listener,omitempty"`
	Metadata string            `json:"metadata,omitempty"`
}

// LoadIf loads the filter if when holds, and a nil Program (no profile)
// not at all: the init may load it at two points, and the condition of
// each says whether it is the one. A listener's descriptor goes to handOff
// (which sends it to goC, for the agent), then is closed.
func (p *Program) LoadIf(when bool, handOff func(*os.File) error) error {
	if p == nil || !when {
		return nil
	}
	fd, err := p.Load()
	if err != nil || fd == nil {
		return err
	}
	defer fd.Close()
	if err := handOff(fd); err != nil {
		return fmt.Errorf("seccomp: hand the notify descriptor on: %w", err)
	}
	return nil
}

// Load installs the filter on the calling thread, which then execs.
// Without no_new_privs the thread needs CAP_SYS_ADMIN. It returns the
// listener's descriptor, if the filter has one.
func (p *Program) Load() (*os.File, error) {
	if len(p.Filter) == 0 {
		return nil, errors.New("seccomp: empty filter")
	}
	fprog := unix.SockFprog{Len: uint16(len(p.Filter)), Filter: &p.Filter[0]}
	fd, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, uintptr(p.Flags), uintptr(unsafe.Pointer(&fprog)))
	if errno != 0 {
		return nil, fmt.Errorf("load seccomp filter: %w", errno)
	}
	if p.Flags&unix.SECCOMP_FILTER_FLAG_NEW_LISTENER == 0 {
		return nil, nil
	}
	unix.CloseOnExec(int(fd))
	return os.NewFile(fd, "seccomp-notify"), nil
}
