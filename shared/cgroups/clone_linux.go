package cgroups

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// CloneInto puts the container's init into its cgroup2 directory of a
// hybrid host (v1 controllers, an empty cgroup2 beside them) as it is
// cloned: it opens that directory and sets attr's CgroupFD for clone3's
// CLONE_INTO_CGROUP, and returns it, for the caller to close once the
// init has started; LateJoinFiles then leaves it out. Moving a process
// into a cgroup2 later, by writing cgroup.procs, takes the kernel's
// cgroup_threadgroup_rwsem for writing, which waits for an RCU grace
// period: 10-20 ms on a busy host, a tenth of a goC run even on a quiet
// one; a clone into the cgroup does not. That cgroup2 has no controllers,
// so nothing of the init's setup is charged there. Elsewhere (pure v1, or
// pure v2, whose controllers would charge the init's Go runtime to the
// container) it does nothing and returns no file: the init joins late.
func CloneInto(m Manager, attr *syscall.SysProcAttr) ([]*os.File, error) {
	v, ok := m.(*v1)
	if !ok || v.unified == "" {
		return nil, nil
	}
	return CloneIntoDir(v.unified, attr)
}

// CloneIntoDir sets attr to clone into the cgroup2 directory dir, which
// CreateAnnouncing named, and returns the directory, for the caller to
// close once the init has started.
func CloneIntoDir(d string, attr *syscall.SysProcAttr) ([]*os.File, error) {
	dir, err := os.OpenFile(d, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	attr.UseCgroupFD, attr.CgroupFD = true, int(dir.Fd())
	return []*os.File{dir}, nil
}

// LateJoinFiles are the files the init writes "0" to (Join) once set up,
// when CloneInto has cloned it into what it could: m's JoinFiles but the
// hybrid host's cgroup2 one.
func LateJoinFiles(m Manager) ([]*os.File, error) {
	if v, ok := m.(*v1); ok && v.unified != "" {
		return v.taskFiles()
	}
	return m.JoinFiles()
}
