package container

import (
	"fmt"
	"os"
)

// syncFd is where the init finds its end of the sync socket (ExtraFiles[0]):
// the one descriptor it knows before it has read its config.
const syncFd = 3

// files wraps the descriptors fds of the init's.
func files(fds []int) []*os.File {
	out := make([]*os.File, len(fds))
	for i, fd := range fds {
		out[i] = os.NewFile(uintptr(fd), fmt.Sprintf("fd %d", fd))
	}
	return out
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
