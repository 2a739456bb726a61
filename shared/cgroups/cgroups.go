// Package cgroups puts a container under resource limits with control
// groups, v2 (one unified tree) or v1 (one tree per controller), behind one
// small interface: create, apply limits, add a process, read stats,
// destroy.
//
// Every container cgroup is locked (flock) by the goC that created it for
// as long as that goC lives. A cgroup nobody holds a lock on and no process
// is in was left by a goC that died, and Reclaim removes it. (A container
// that runs on after its goC has exited, as create/start leave it, keeps
// processes in its cgroup and is left alone.)
package cgroups

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"goc.dev/shared/id"
)

// Manager is one container's cgroup.
type Manager interface {
	// Apply writes the limits.
	Apply(Resources) error
	// Add moves a process (with all its threads) into the cgroup.
	Add(pid int) error
	// JoinFiles opens what a process writes "0" to (see Join) to move
	// itself in: v2 cgroup.procs; v1 each hierarchy's tasks, which moves
	// just the writing thread and so spares the kernel the global
	// threadgroup lock (and its RCU grace period) a whole-process move
	// takes. Enough for a process about to exec on that thread.
	JoinFiles() ([]*os.File, error)
	// Pids lists the processes in the cgroup, each once, in order.
	Pids() ([]int, error)
	// Stats reads what the kernel counted.
	Stats() (Stats, error)
	// Freeze stops (true) or resumes (false) every process in the
	// cgroup, returning once the kernel has done it; Frozen says which.
	Freeze(frozen bool) error
	Frozen() (bool, error)
	// Destroy kills whatever still runs in the cgroup and removes it.
	Destroy() error
	// Path names the cgroup, for messages.
	Path() string
	// Dirs lists the cgroup's directories by hierarchy: v2 {"": dir}; v1
	// the name of each hierarchy's mount point ("memory", "cpu,cpuacct")
	// → the container's directory in it.
	Dirs() map[string]string
}

// Stats are the kernel's counters for a container's cgroup.
type Stats struct {
	MemoryPeak  int64 // bytes at the most; -1 where the kernel does not say
	OOMKills    int64 // processes the OOM killer killed
	NrThrottled int64 // CFS periods in which the cgroup was throttled
}

// DefaultParent is where container cgroups go: /sys/fs/cgroup/goC/<id>
// (v2), /sys/fs/cgroup/<controller>/goC/<id> (v1).
const DefaultParent = "goC"

// Detect finds the cgroup hierarchies of the calling process's mount
// namespace.
func Detect() (Hierarchies, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return Hierarchies{}, err
	}
	defer f.Close()
	return ParseMountinfo(f)
}

// waitFor polls done until it holds (the kernel freezes a cgroup's tasks
// one by one), for 5 s at the most.
func waitFor(done func() (bool, error)) error {
	deadline := time.Now().Add(5 * time.Second)
	for delay := 100 * time.Microsecond; ; delay = min(2*delay, 20*time.Millisecond) {
		ok, err := done()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return errors.New("the kernel did not finish freezing or thawing in 5s")
		}
		time.Sleep(delay)
	}
}

// Mode is "v2" or "v1".
func (h Hierarchies) Mode() string {
	if h.V2 != "" {
		return "v2"
	}
	return "v1"
}

// Create makes the cgroup of container cid below parent ("a/b", a path
// from each hierarchy's root; "" for the root itself) and locks it.
func Create(h Hierarchies, parent, cid string) (Manager, error) {
	return CreateAnnouncing(h, parent, cid, nil)
}

// CreateAnnouncing is Create for a caller that starts the container's
// init meanwhile: it calls cloneDir once, as soon as the init may start.
// On a hybrid host it makes the cgroup2 directory first and calls cloneDir
// with it, for the init to be cloned into (CloneIntoDir) while the others
// are made; if it then fails, it kills what is in that directory (the
// init) to remove it. Elsewhere it calls cloneDir("") before it begins.
func CreateAnnouncing(h Hierarchies, parent, cid string, cloneDir func(dir string)) (Manager, error) {
	if cloneDir == nil {
		cloneDir = func(string) {}
	}
	if h.V2 != "" || h.Unified == "" {
		cloneDir("")
	}
	if err := ValidateParent(parent); err != nil {
		return nil, err
	}
	if err := id.Validate(nameChars.Replace(cid)); err != nil {
		return nil, err
	}
	if h.V2 != "" {
		return createV2(h.V2, parent, cid)
	}
	return createV1(h, parent, cid, cloneDir)
}

// Open returns the Manager of an existing container cgroup, for a goC that
// did not create it (delete of a container started by create).
func Open(h Hierarchies, parent, cid string) (Manager, error) {
	if err := ValidateParent(path.Join(parent, cid)); err != nil {
		return nil, err
	}
	if h.V2 != "" {
		return &v2{dir: filepath.Join(h.V2, parent, cid)}, nil
	}
	return openV1(h, parent, cid, nil), nil
}

// Find opens the cgroup of container cid below parent in the calling
// process's hierarchies (Detect, Rebase on bases, then Open): for the goCs
// that act on a container another goC created.
func Find(parent, cid string, bases map[string]string) (Manager, error) {
	h, err := Detect()
	if err != nil {
		return nil, err
	}
	return Open(h.Rebase(bases), parent, cid)
}

// Reclaim destroys the cgroups below parent that no live goC holds and no
// process is in, and returns how many it removed. It takes only leaves, and
// leaves a hierarchy's root alone: the cgroups there are the host's.
func Reclaim(h Hierarchies, parent string) (int, error) {
	if err := ValidateParent(parent); err != nil || parent == "" {
		return 0, err
	}
	var lockRoot string
	if h.V2 != "" {
		lockRoot = h.V2
	} else {
		lockRoot = v1LockRoot(h.V1)
	}
	dir := filepath.Join(lockRoot, parent)
	unlock, err := lockPath(dir, false)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer unlock()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() || id.Validate(e.Name()) != nil {
			continue
		}
		// The lock first: it passes over a live goC's container with one
		// open, where listing the directory costs a readdir (at every
		// create, for every container on the host).
		lock, err := tryLock(filepath.Join(dir, e.Name()))
		if err != nil {
			continue // held by a live goC, or already gone
		}
		if hasChildren(filepath.Join(dir, e.Name())) {
			lock.Close()
			continue // not a container's cgroup: those are leaves
		}
		var m interface {
			Manager
			populated() bool
		}
		if h.V2 != "" {
			m = &v2{dir: filepath.Join(dir, e.Name()), lock: lock}
		} else {
			m = openV1(h, parent, e.Name(), lock)
		}
		if m.populated() {
			lock.Close()
			continue
		}
		if err := m.Destroy(); err != nil {
			return n, fmt.Errorf("reclaim %s: %w", m.Path(), err)
		}
		n++
	}
	return n, nil
}

// nameChars maps the characters a cgroup name may have beyond a container
// ID's to one an ID has: systemd's "@" (user@0.service) and ":" (its
// slice:prefix:name, which runc's cgroupfs driver takes as one name).
var nameChars = strings.NewReplacer("@", "_", ":", "_")

// ValidateParent checks a cgroup parent such as "goC" or "a/b": names a
// container ID may have, or systemd's ("user@0.service"), never "." or
// "..", so that it stays below the hierarchy's root; "" is the root.
func ValidateParent(parent string) error {
	if parent == "" {
		return nil
	}
	for _, part := range strings.Split(parent, "/") {
		if err := id.Validate(nameChars.Replace(part)); err != nil {
			return fmt.Errorf("invalid cgroup parent %q", parent)
		}
	}
	return nil
}

// Join moves the calling thread (v1) or process (v2) into the cgroup whose
// JoinFiles it is given, and closes them.
func Join(files []*os.File) error {
	var first error
	for _, f := range files {
		if _, err := f.WriteString("0"); err != nil && first == nil {
			first = fmt.Errorf("join cgroup: %s: %w", f.Name(), err)
		}
		f.Close()
	}
	return first
}

// openJoin opens dir/file for writing, close-on-exec.
func openJoin(dir, file string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, file), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return nil, fmt.Errorf("open cgroup for joining: %w", err)
	}
	return f, nil
}

// unavailable is the error for a limit whose controller the host lacks.
func unavailable(field, controller string) error {
	return fmt.Errorf("%s: the %s controller is not available on this host", field, controller)
}

// A setting is one value for one interface file.
type setting struct{ file, value string }

// writeAll writes settings into dir in order; what names them for errors.
func writeAll(dir, what string, settings []setting) error {
	for _, s := range settings {
		if err := write(dir, s.file, s.value); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

// write sets one interface file. It never creates one: a missing file is a
// missing controller or a kernel too old for it.
func write(dir, file, value string) error {
	f, err := os.OpenFile(filepath.Join(dir, file), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("set %s: %w", file, err)
	}
	_, err = f.WriteString(value)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("set %s to %q: %w", file, value, err)
	}
	return nil
}

func exists(dir, file string) bool {
	_, err := os.Stat(filepath.Join(dir, file))
	return err == nil
}

// readKey reads "key value" lines (memory.events, cpu.stat, …) and returns
// the value of key, or 0.
func readKey(dir, file, key string) (int64, error) {
	b, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, " ")
		if ok && k == key {
			var n int64
			_, err := fmt.Sscan(v, &n)
			return n, err
		}
	}
	return 0, nil
}

// hasChildren reports whether dir has cgroups below it.
func hasChildren(dir string) bool {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() {
			return true
		}
	}
	return false
}

// hasProcs reports whether dir/cgroup.procs lists any process.
func hasProcs(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	return err == nil && len(strings.TrimSpace(string(b))) > 0
}

// readInt reads a file holding one number; -1 if it does not exist.
func readInt(dir, file string) (int64, error) {
	b, err := os.ReadFile(filepath.Join(dir, file))
	if errors.Is(err, os.ErrNotExist) {
		return -1, nil
	}
	if err != nil {
		return 0, err
	}
	var n int64
	_, err = fmt.Sscan(string(b), &n)
	return n, err
}
