package namespace

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Order is the order Start enters namespaces in: the mount namespace last,
// as the paths to the others may be the host's. (runc enters a user
// namespace first; no thread of a Go program can enter one: see Start.)
var Order = []Type{IPC, UTS, Network, PID, Cgroup, Mount}

// nsGetType is ioctl_ns(2)'s NS_GET_NSTYPE: the CLONE_NEW* flag of the
// namespace a file refers to.
const nsGetType = 0xb703

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

// Set is namespaces to enter, opened, in order: a running container's
// (goC exec), or those config.json names by path (goC create). After them
// it may hold a root to enter: that of a container without a mount
// namespace of its own.
type Set struct {
	ns   []nsFile
	user *os.File // entered by the process started, not the thread
	root *os.File
}

type nsFile struct {
	t Type
	f *os.File
}

// Open opens the namespaces of process pid of types ts that are not the
// caller's, in the order of ts. One the caller shares is nothing to enter,
// nor one whose link cannot be read (this kernel lacks it, or pid is
// gone: the caller checks that pid still lives once it has the files).
// A mount namespace the caller shares leaves pid's root to enter: a
// container without a mount namespace is chrooted into its rootfs.
func Open(pid int, ts ...Type) (Set, error) {
	var s Set
	for _, t := range ts {
		same, err := Same(pid, t)
		switch {
		case err != nil:
			continue
		case same && t == Mount:
			s.root, err = os.OpenFile(fmt.Sprintf("/proc/%d/root", pid), unix.O_PATH|unix.O_DIRECTORY, 0)
		case !same && t == User:
			s.user, err = openNS(fmt.Sprintf("/proc/%d/ns/%s", pid, t), t)
		case !same:
			err = s.add(fmt.Sprintf("/proc/%d/ns/%s", pid, t), t)
		}
		if err != nil {
			s.Close()
			return Set{}, fmt.Errorf("%s namespace: %w", t, err)
		}
	}
	return s, nil
}

// OpenPaths opens the namespaces config.json names by path (type → path),
// in Order. Each must be a namespace of its type. A user namespace by path
// is not supported: the kernel lets only a single-threaded process enter
// one, and every Go program has several threads before main runs (Start
// has the process it starts enter one, but the init is cloned into a
// user namespace of its own).
func OpenPaths(paths map[Type]string) (Set, error) {
	for t := range paths {
		if !slices.Contains(Order, t) {
			return Set{}, fmt.Errorf("joining a %s namespace by path is not supported", t)
		}
	}
	var s Set
	for _, t := range Order {
		if path, ok := paths[t]; ok {
			if err := s.add(path, t); err != nil {
				s.Close()
				return Set{}, fmt.Errorf("join %s namespace: %w", t, err)
			}
		}
	}
	return s, nil
}

// add opens path, which must be a namespace of type t, to be entered.
func (s *Set) add(path string, t Type) error {
	f, err := openNS(path, t)
	if err != nil {
		return err
	}
	s.ns = append(s.ns, nsFile{t, f})
	return nil
}

// openNS opens path, which must be a namespace of type t.
func openNS(path string, t Type) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	want, err := t.Flag()
	if err == nil {
		var got int
		if got, err = unix.IoctlRetInt(int(f.Fd()), nsGetType); err == nil && uintptr(got) != want {
			err = fmt.Errorf("%s is not a %s namespace", path, t)
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Close closes the namespaces' files.
func (s Set) Close() {
	for _, n := range s.ns {
		n.f.Close()
	}
	for _, f := range []*os.File{s.user, s.root} {
		if f != nil {
			f.Close()
		}
	}
}

// Start starts cmd in the set's namespaces, from a goroutine locked to its
// own thread, which first unshares its filesystem attributes (setns to a
// mount namespace refuses a thread that shares them, as every Go thread
// does), then enters the namespaces, in order, and the root, and forks
// cmd: the namespaces of a kind a process may only give its children (pid)
// are the child's from birth. The thread is never given back to the Go
// runtime and ends with the goroutine: the caller stays where it was. But
// a parent-death signal comes when the thread that forked ends: if cmd
// asks for one, the thread waits for cmd's process to end. Into a pid
// namespace, Go's fork would kill the child at once (its parent is not in
// that namespace: getppid says 0, which Go takes for a dead parent), so
// the signal is left out: the child must ask for it itself (prctl
// PR_SET_PDEATHSIG). A user namespace no thread of goC's can enter: cmd's
// process enters it itself, right after its exec (startInUser), after
// the others. With nothing to enter, cmd simply starts.
func (s Set) Start(cmd *exec.Cmd) error {
	if len(s.ns) == 0 && s.root == nil && s.user == nil {
		return cmd.Start()
	}
	deathsig := cmd.SysProcAttr != nil && cmd.SysProcAttr.Pdeathsig != 0
	if deathsig && slices.ContainsFunc(s.ns, func(n nsFile) bool { return n.t == PID }) {
		attr := *cmd.SysProcAttr
		attr.Pdeathsig = 0
		cmd.SysProcAttr = &attr
	}
	return s.start(cmd, deathsig)
}

// start is Start from a new goroutine, on a thread of its own.
func (s Set) start(cmd *exec.Cmd, deathsig bool) error {
	start := cmd.Start
	if s.user != nil {
		start = func() error { return startInUser(cmd, s.user) }
	}
	return s.run(start, func() {
		if deathsig {
			awaitExit(cmd.Process.Pid)
		}
	})
}

// Run calls fn on a thread of its own that has entered the set's
// namespaces and root: what fn opens there (files by path, say) stays
// open for the whole process. The thread is never given back to the Go
// runtime and ends with fn: the caller stays where it was.
func (s Set) Run(fn func() error) error { return s.run(fn, func() {}) }

// run is Run, with then called on the same thread once fn has succeeded.
func (s Set) run(fn func() error, then func()) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // for good: this thread is the namespaces' now
		if unix.Gettid() == unix.Getpid() {
			// The main thread is never ended (the runtime parks it), and
			// /proc/self shows the process through it: keep it out. It
			// stays locked to this goroutine meanwhile, so the next one
			// runs on another thread.
			errc <- s.run(fn, then)
			runtime.UnlockOSThread()
			return
		}
		err := s.enter()
		if err == nil {
			err = fn()
		}
		errc <- err
		if err == nil {
			then()
		}
	}()
	return <-errc
}

// enter moves the calling thread into the set's namespaces and root.
func (s Set) enter() error {
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return os.NewSyscallError("unshare", err)
	}
	for _, n := range s.ns {
		if err := unix.Setns(int(n.f.Fd()), 0); err != nil {
			return fmt.Errorf("join %s namespace (%s): %w", n.t, n.f.Name(), err)
		}
	}
	if s.root == nil {
		return nil
	}
	if err := unix.Fchdir(int(s.root.Fd())); err != nil {
		return &os.PathError{Op: "fchdir", Path: s.root.Name(), Err: err}
	}
	if err := unix.Chroot("."); err != nil {
		return &os.PathError{Op: "chroot", Path: s.root.Name(), Err: err}
	}
	return nil
}

// awaitExit blocks until process pid, a child, has ended, and leaves it to
// be waited for (WNOWAIT).
func awaitExit(pid int) {
	var info unix.Siginfo
	for unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil) == unix.EINTR {
	}
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
