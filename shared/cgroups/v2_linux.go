package cgroups

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// v2 is a container cgroup in the unified hierarchy.
type v2 struct {
	dir  string
	lock *os.File
}

// v2Controllers are the controllers goC enables for containers, in order,
// those the host has: the ones it limits (devices and the freezer are
// built into cgroup v2).
var v2Controllers = []string{"cpuset", "cpu", "io", "memory", "hugetlb", "pids"}

func createV2(root, parent, cid string) (_ Manager, retErr error) {
	// Enable the controllers on the way down: a cgroup can only use a
	// controller its parent lists in cgroup.subtree_control.
	// A cgroup with processes of its own (the caller's, when
	// linux.cgroupsPath is relative) is left as it is: the kernel refuses
	// it domain controllers, and the threaded ones alone would make it a
	// thread root, below which no domain cgroup takes a process.
	dir := root
	enable(dir)
	if parent != "" {
		for _, part := range strings.Split(parent, "/") {
			dir = filepath.Join(dir, part)
			if err := mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
				return nil, fmt.Errorf("create cgroup %s: %w", dir, err)
			}
			if !hasProcs(dir) {
				enable(dir)
			}
		}
	}

	unlock, err := lockPath(dir, true) // Reclaim must not see the new cgroup unlocked
	if err != nil {
		return nil, err
	}
	defer unlock()
	m := &v2{dir: filepath.Join(dir, cid)}
	err = makeCgroup(m.dir)
	if err != nil && !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	defer func(made bool) {
		if retErr != nil && made {
			_ = os.Remove(m.dir)
		}
	}(err == nil)
	if m.lock, err = holdLock(m.dir); err != nil {
		return nil, err
	}
	return m, nil
}

// makeCgroup makes a container's cgroup directory. One that exists already
// and has no process in it is reused, as runc reuses it, with a warning
// (the error is then os.ErrExist); one with processes is refused: they are
// not the container's, and delete would kill them.
func makeCgroup(dir string) error {
	err := mkdir(dir, 0o755)
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, os.ErrExist):
		return fmt.Errorf("create cgroup %s: %w", dir, err)
	case hasProcs(dir):
		return fmt.Errorf("create cgroup %s: it exists and has processes, which are not the container's", dir)
	}
	slog.Warn("the container's cgroup exists already: reusing it", "cgroup", dir)
	return err
}

// enable adds to dir's cgroup.subtree_control those of v2Controllers dir
// has and has not enabled yet, for its children. What the kernel refuses
// stays off, as runc leaves it: a limit that needs it fails when it is
// set, naming the controller.
func enable(dir string) {
	have := controllers(dir, "cgroup.controllers")
	on := controllers(dir, "cgroup.subtree_control")
	var add []string
	for _, c := range v2Controllers {
		if have[c] && !on[c] {
			add = append(add, "+"+c)
		}
	}
	if len(add) == 0 || write(dir, "cgroup.subtree_control", strings.Join(add, " ")) == nil {
		return
	}
	for _, c := range add { // one by one: the kernel takes all or none
		_ = write(dir, "cgroup.subtree_control", c)
	}
}

// controllers reads a list of controllers (cgroup.controllers,
// cgroup.subtree_control); none if it cannot.
func controllers(dir, file string) map[string]bool {
	b, _ := os.ReadFile(filepath.Join(dir, file))
	set := map[string]bool{}
	for _, c := range strings.Fields(string(b)) {
		set[strings.TrimPrefix(c, "+")] = true
	}
	return set
}

func (m *v2) Path() string { return m.dir }

func (m *v2) Dirs() map[string]string { return map[string]string{"": m.dir} }

func (m *v2) populated() bool { return hasProcs(m.dir) }

func (m *v2) Add(pid int) error {
	return write(m.dir, "cgroup.procs", strconv.Itoa(pid))
}

func (m *v2) JoinFiles() ([]*os.File, error) {
	f, err := openJoin(m.dir, "cgroup.procs")
	if err != nil {
		return nil, err
	}
	return []*os.File{f}, nil
}

func (m *v2) Pids() ([]int, error) { return readProcs(m.dir) }

func (m *v2) Stats() (Stats, error) {
	var s Stats
	var err error
	if s.MemoryPeak, err = readInt(m.dir, "memory.peak"); err != nil {
		return s, err
	}
	if exists(m.dir, "memory.events") {
		if s.OOMKills, err = readKey(m.dir, "memory.events", "oom_kill"); err != nil {
			return s, err
		}
	}
	if exists(m.dir, "cpu.stat") {
		if s.NrThrottled, err = readKey(m.dir, "cpu.stat", "nr_throttled"); err != nil {
			return s, err
		}
	}
	return s, nil
}

func (m *v2) Freeze(frozen bool) error {
	v, want := "0", int64(0)
	if frozen {
		v, want = "1", 1
	}
	if err := write(m.dir, "cgroup.freeze", v); err != nil {
		return fmt.Errorf("freeze: %w", err)
	}
	return waitFor(func() (bool, error) {
		got, err := readKey(m.dir, "cgroup.events", "frozen")
		return got == want, err
	})
}

func (m *v2) Frozen() (bool, error) {
	got, err := readInt(m.dir, "cgroup.freeze")
	return got == 1, err
}

// Destroy kills what is left (cgroup.kill, Linux 5.14+; one by one before
// that), waits for the cgroup to empty and removes it.
func (m *v2) Destroy() error {
	defer m.lock.Close()
	err := removeWhenEmpty(m.dir, func() error {
		if exists(m.dir, "cgroup.kill") {
			return write(m.dir, "cgroup.kill", "1")
		}
		return killProcs(m.dir)
	})
	if err != nil {
		return fmt.Errorf("remove cgroup %s: %w", m.dir, err)
	}
	return nil
}

// mkdir and rmdir make and remove cgroup directories: variables so that
// tests on a fake cgroupfs can play the kernel (which fills a new cgroup
// with interface files and refuses to remove a busy one).
var (
	mkdir = os.Mkdir
	rmdir = func(dir string) error {
		// Not os.Remove, which tries unlink(2) first: a cgroup is a
		// directory, and a container has nine on a v1 host.
		if err := unix.Rmdir(dir); err != nil {
			return &os.PathError{Op: "rmdir", Path: dir, Err: err}
		}
		return nil
	}
)

// removeWhenEmpty removes dir, calling kill while processes keep it busy.
// Processes that were just killed leave a cgroup a little after their
// parent has reaped them, so EBUSY is retried for a while.
func removeWhenEmpty(dir string, kill func() error) error {
	deadline := time.Now().Add(10 * time.Second)
	for delay := 100 * time.Microsecond; ; delay = min(delay*2, 50*time.Millisecond) {
		err := rmdir(dir)
		if err == nil || errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if !errors.Is(err, syscall.EBUSY) || time.Now().After(deadline) {
			return err
		}
		if err := kill(); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		time.Sleep(delay)
	}
}

// killProcs sends SIGKILL to every process listed in dir/cgroup.procs.
func killProcs(dir string) error {
	pids, err := readProcs(dir)
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	return err
}
