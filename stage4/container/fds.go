package container

import (
	"fmt"
	"os"
	"slices"

	"golang.org/x/sys/unix"

	"goc.dev/shared/syncsock"
)

// syncFd is where the init finds its end of the sync socket (ExtraFiles[0]):
// the one descriptor it knows before it has read its config.
const syncFd = 3

// Fds says where the init finds the other descriptors the parent passed
// it: the parent fills it as it lines the files up (passing), and sends it
// in InitConfig.
type Fds struct {
	Fifo      int   `json:"fifo,omitempty"`      // the exec fifo, O_PATH (none for exec)
	Cgroup    []int `json:"cgroup,omitempty"`    // files to join the cgroup through
	Preserved []int `json:"preserved,omitempty"` // for the process, at 3, 4, …
}

// top is the highest descriptor of the layout.
func (l Fds) top() int {
	return slices.Max(slices.Concat([]int{syncFd, l.Fifo}, l.Cgroup, l.Preserved))
}

// files wraps the descriptors fds of the init's.
func files(fds []int) []*os.File {
	out := make([]*os.File, len(fds))
	for i, fd := range fds {
		out[i] = os.NewFile(uintptr(fd), fmt.Sprintf("fd %d", fd))
	}
	return out
}

// handOn puts the preserved descriptors at 3, 4, … for the workload. The
// sync socket moves out of their way first: it must stay open until exec.
func (l Fds) handOn(conn *syncsock.Conn) error {
	if len(l.Preserved) == 0 {
		return nil
	}
	if err := conn.MoveAbove(l.top() + 1); err != nil {
		return err
	}
	// Upwards: the preserved come last, so a source is never a target
	// still to come.
	for i, fd := range l.Preserved {
		if err := unix.Dup3(fd, 3+i, 0); err != nil {
			return os.NewSyscallError("dup3", err)
		}
	}
	return nil
}

// passing lines up the files the parent passes to the init (ExtraFiles:
// the first at descriptor 3), and closes those it owns once the init has
// its copies.
type passing struct {
	extra []*os.File
	owned []*os.File
}

// newPassing starts the line with the init's end of the sync socket, at
// syncFd.
func newPassing(sync *os.File) *passing {
	p := &passing{}
	p.own(sync)
	return p
}

// own passes files the parent opened for the init, and returns the
// descriptors the init finds them at.
func (p *passing) own(fs ...*os.File) []int {
	p.owned = append(p.owned, fs...)
	return p.pass(fs...)
}

// pass passes the caller's files (the preserved ones), which stay open.
func (p *passing) pass(fs ...*os.File) []int {
	fds := make([]int, len(fs))
	for i, f := range fs {
		fds[i] = syncFd + len(p.extra)
		p.extra = append(p.extra, f)
	}
	return fds
}

// close closes the parent's copies of what it owns.
func (p *passing) close() {
	for _, f := range p.owned {
		f.Close()
	}
	p.owned = nil
}
