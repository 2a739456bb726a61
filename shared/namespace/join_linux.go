package namespace

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Same reports whether process pid is in the calling process's namespace
// of type t.
func Same(pid int, t Type) (bool, error) {
	theirs, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, t))
	if err != nil {
		return false, err
	}
	ours, err := os.Readlink("/proc/self/ns/" + string(t))
	if err != nil {
		return false, err
	}
	return theirs == ours, nil
}

// Set is namespaces of a process, opened to be entered (goC exec enters a
// running container's).
type Set []*os.File

// Open opens the namespaces of process pid of types ts that are not the
// caller's, in the order of ts. One the caller shares is nothing to enter,
// nor one whose link cannot be read (this kernel lacks it, or pid is
// gone: the caller checks that pid still lives once it has the files).
func Open(pid int, ts ...Type) (Set, error) {
	var s Set
	for _, t := range ts {
		if same, err := Same(pid, t); err != nil || same {
			continue
		}
		f, err := os.Open(fmt.Sprintf("/proc/%d/ns/%s", pid, t))
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("%s namespace: %w", t, err)
		}
		s = append(s, f)
	}
	return s, nil
}

// Close closes the namespaces' files.
func (s Set) Close() {
	for _, f := range s {
		f.Close()
	}
}

// Start starts cmd from a goroutine locked to its own thread, which first
// unshares its filesystem attributes (setns to a mount namespace refuses a
// thread that shares them, as every Go thread does), then enters the
// namespaces, in order, and forks cmd. The thread is never given back to
// the Go runtime and ends with the goroutine: the caller stays where it
// was.
func (s Set) Start(cmd *exec.Cmd) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // for good: this thread is the namespaces' now
		if err := unix.Unshare(unix.CLONE_FS); err != nil {
			errc <- os.NewSyscallError("unshare", err)
			return
		}
		for _, f := range s {
			if err := unix.Setns(int(f.Fd()), 0); err != nil {
				errc <- fmt.Errorf("join %s: %w", filepath.Base(f.Name()), err)
				return
			}
		}
		errc <- cmd.Start()
	}()
	return <-errc
}

// IDMaps turns a user namespace's mappings from config.json into what
// clone writes to the new process's uid_map and gid_map.
func IDMaps(ms []specs.LinuxIDMapping) []syscall.SysProcIDMap {
	out := make([]syscall.SysProcIDMap, len(ms))
	for i, m := range ms {
		out[i] = syscall.SysProcIDMap{ContainerID: int(m.ContainerID), HostID: int(m.HostID), Size: int(m.Size)}
	}
	return out
}
