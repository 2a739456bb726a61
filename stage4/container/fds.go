package container

import (
	"os"

	"goc.dev/shared/initproc"
)

// passing lines up the files the parent passes to the init (ExtraFiles:
// the first at descriptor 3), and closes those it owns once the init has
// its copies.
type passing struct {
	extra []*os.File
	owned []*os.File
}

// newPassing starts the line with the init's end of the sync socket, at
// initproc.SyncFd.
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
		fds[i] = initproc.SyncFd + len(p.extra)
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
