package cgroups

import (
	"os"
	"runtime"
	"syscall"
)

// Pending is a container's cgroup being made in the background while its
// init starts: the init needs it only once it has read its config, after
// its Go runtime has started, and on a v1 host the cgroup is nine
// directories and their limits.
type Pending struct {
	made     chan struct{} // closed once m or err is set
	cloneDir chan string
	m        Manager
	err      error
}

// Begin makes a cgroup with create, in the background; create passes
// cloneDir on to CreateAnnouncing.
func Begin(create func(cloneDir func(string)) (Manager, error)) *Pending {
	p := &Pending{made: make(chan struct{}), cloneDir: make(chan string, 1)}
	go func() {
		defer close(p.made)
		p.m, p.err = create(func(dir string) {
			p.cloneDir <- dir
			// The clone waits on this: let it run now, not once this
			// goroutine blocks (it went to the head of this P's queue,
			// where another P seldom takes it from).
			runtime.Gosched()
		})
	}()
	return p
}

// CloneInto waits until the init may be cloned, and sets attr to clone it
// where that is done at clone (a hybrid host's cgroup2, see CloneInto): it
// waits for that directory only, or for the whole cgroup if that comes
// first. The caller closes the files once the init has started.
func (p *Pending) CloneInto(attr *syscall.SysProcAttr) ([]*os.File, error) {
	select {
	case dir := <-p.cloneDir:
		if dir == "" {
			return nil, nil
		}
		return CloneIntoDir(dir, attr)
	case <-p.made:
		if p.err != nil {
			return nil, p.err
		}
		return CloneInto(p.m, attr)
	}
}

// Wait waits for the cgroup, and returns it or why it could not be made.
func (p *Pending) Wait() (Manager, error) {
	<-p.made
	return p.m, p.err
}
