package cgroups

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// lockPath takes a shared (or exclusive) flock on a directory and returns
// how to release it.
func lockPath(dir string, shared bool) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	how := unix.LOCK_EX
	if shared {
		how = unix.LOCK_SH
	}
	if err := unix.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		return nil, &os.PathError{Op: "flock", Path: dir, Err: err}
	}
	return func() { f.Close() }, nil
}

// holdLock takes the exclusive lock that marks a container cgroup as live.
// The returned file keeps it until closed (or until goC dies). A cgroup
// another goC holds (one that existed already, reused) is in use: an error.
func holdLock(dir string) (*os.File, error) {
	f, err := tryLock(dir)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return nil, fmt.Errorf("cgroup %s is in use by another container", dir)
	}
	return f, err
}

// tryLock takes a container cgroup's lock if nobody holds it.
func tryLock(dir string) (*os.File, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return nil, &os.PathError{Op: "flock", Path: dir, Err: err}
	}
	return f, nil
}
