// Package state keeps what goC knows about each container on disk: one
// directory per container under the state root (default /run/goC), holding
// state.json (written atomically) and, until the container is started, the
// exec fifo. Operations on one container are serialized with a lock on its
// directory. A container's status is derived from the live system every
// time it is read, never trusted from the file.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"goc.dev/shared/atomicfile"
	"goc.dev/shared/cgroups"
	"goc.dev/shared/id"
	"goc.dev/shared/process"
)

// File names in a container's directory.
const (
	StateFile = "state.json"
	ExecFifo  = "exec.fifo"
)

// DefaultRoot is where container state lives.
const DefaultRoot = "/run/goC"

// Statuses, as the OCI runtime spec names them (and runc's "paused").
const (
	Creating = "creating"
	Created  = "created"
	Running  = "running"
	Stopped  = "stopped"
	Paused   = "paused" // running, its processes frozen (goC pause)
)

// ErrNotExist is a container ID with no state directory.
var ErrNotExist = errors.New("container does not exist")

// ErrNotRunning is a verb that needs a live container given a stopped one.
// Its words, like ErrNotExist's, are runc's: containerd's shim matches on
// them to tell "already stopped" from a failed kill.
var ErrNotRunning = errors.New("container not running")

// ErrExist is a container ID already in use.
var ErrExist = errors.New("container ID already exists")

// State is state.json.
type State struct {
	OCIVersion  string            `json:"ociVersion"`
	ID          string            `json:"id"`
	Pid         int               `json:"pid"`
	Bundle      string            `json:"bundle"`
	Annotations map[string]string `json:"annotations,omitempty"`

	// goC's own.
	Start        uint64    `json:"start"` // the init's start time (clock ticks), against PID reuse
	Rootfs       string    `json:"rootfs"`
	Created      time.Time `json:"created"`
	CgroupParent string    `json:"cgroupParent"`
	CgroupName   string    `json:"cgroupName"`
	// CgroupBases: each v1 hierarchy's base of a relative cgroup path
	// (cgroups.Hierarchies.Rebase); none for an absolute one.
	CgroupBases map[string]string `json:"cgroupBases,omitempty"`
	// RunBy is the goC run that waits for the container in the
	// foreground and deletes it at the end; if that goC dies, the
	// container is deleted by the next one (see Orphaned).
	RunBy *Owner `json:"runBy,omitempty"`
	// Image is the image the container runs from; its writable layer is
	// in Layer (removed by delete).
	Image string `json:"image,omitempty"`
	Layer string `json:"layer,omitempty"`
	// Bound: without a mount namespace of its own, the container's
	// mounts are on a bind of Rootfs in goC's, which delete detaches.
	Bound bool `json:"bound,omitempty"`
	// Hooks are config.json's: start runs poststart, delete poststop.
	Hooks *specs.Hooks `json:"hooks,omitempty"`
}

// Owner names a process for good: PID and start time.
type Owner struct {
	PID   int    `json:"pid"`
	Start uint64 `json:"start"`
}

// Orphaned reports whether s belongs to a foreground goC run that died
// without deleting it.
func (s *State) Orphaned() bool {
	return s != nil && s.RunBy != nil && !process.Alive(s.RunBy.PID, s.RunBy.Start)
}

// Container is one container's directory.
type Container struct {
	ID  string
	Dir string
}

func dir(root, cid string) (string, error) {
	if err := id.Validate(cid); err != nil {
		return "", err
	}
	return filepath.Join(root, cid), nil
}

// Create makes the directory of a new container; the ID must be unused.
func Create(root, cid string) (*Container, error) {
	d, err := dir(root, cid)
	if err != nil {
		return nil, err
	}
	if cid == "network" {
		return nil, fmt.Errorf("invalid container ID %q: the name is reserved for goC's network state", cid)
	}
	if err := os.MkdirAll(root, 0o711); err != nil {
		return nil, err
	}
	if err := os.Mkdir(d, 0o711); err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("%w: %s", ErrExist, cid)
		}
		return nil, err
	}
	return &Container{ID: cid, Dir: d}, nil
}

// Load finds an existing container.
func Load(root, cid string) (*Container, error) {
	d, err := dir(root, cid)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(d); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s", ErrNotExist, cid)
		}
		return nil, err
	}
	return &Container{ID: cid, Dir: d}, nil
}

// List returns every container under root, sorted by ID.
func List(root string) ([]*Container, error) {
	entries, err := os.ReadDir(root)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*Container
	for _, e := range entries {
		// The state root also holds goC's network state (DefaultRoot/network).
		if e.IsDir() && id.Validate(e.Name()) == nil && e.Name() != "network" {
			out = append(out, &Container{ID: e.Name(), Dir: filepath.Join(root, e.Name())})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Lock takes the container's lock; concurrent goCs on the same ID wait.
func (c *Container) Lock() (unlock func(), err error) {
	f, err := os.Open(c.Dir)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, &os.PathError{Op: "flock", Path: c.Dir, Err: err}
	}
	return func() { f.Close() }, nil
}

// Save writes state.json atomically (temp file, then rename).
func (c *Container) Save(s *State) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return WriteAtomic(filepath.Join(c.Dir, StateFile), b, 0o600)
}

// Read returns state.json; os.ErrNotExist while the container is being
// created.
func (c *Container) Read() (*State, error) {
	b, err := os.ReadFile(filepath.Join(c.Dir, StateFile))
	if err != nil {
		return nil, err
	}
	var s State
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(c.Dir, StateFile), err)
	}
	return &s, nil
}

// Status derives the container's status: creating until state.json is
// written; stopped once its init is gone (a PID now used by another process,
// with another start time, counts as gone); created while the exec fifo
// waits for start; running after.
func (c *Container) Status(s *State) string {
	switch {
	case s == nil:
		return Creating
	case !process.Alive(s.Pid, s.Start):
		return Stopped
	}
	if _, err := os.Stat(c.Fifo()); err == nil {
		return Created
	}
	return Running
}

// Fifo is the exec fifo's path.
func (c *Container) Fifo() string { return filepath.Join(c.Dir, ExecFifo) }

// Remove deletes the container's directory. One whose state.json is
// damaged (issue 17) has its cgroup sought where goC makes it by default
// (DefaultParent/ID) and destroyed, its processes with it: what can be
// cleaned without the state.
func (c *Container) Remove() error {
	if _, err := c.Read(); err != nil && !errors.Is(err, os.ErrNotExist) {
		if cg, err := findCgroup(cgroups.DefaultParent, c.ID, nil); err == nil {
			if err := cg.Destroy(); err != nil && !errors.Is(err, os.ErrNotExist) {
				slog.Warn("damaged container: its cgroup", "id", c.ID, "err", err)
			}
		}
	}
	return os.RemoveAll(c.Dir)
}

// Discard removes the state directory of a container the calling goC
// created and still owns: what is in it is known, so nothing is read first
// (Remove's care for a damaged state is for containers of other goCs).
func (c *Container) Discard() error {
	return os.RemoveAll(c.Dir)
}

// WriteAtomic writes a file through a temporary file and a rename, so
// readers see the old content or the new, never half of it.
func WriteAtomic(path string, b []byte, mode os.FileMode) error {
	return atomicfile.Write(path, b, mode)
}

// Unbind detaches a Bound container's rootfs bind, with every mount made
// on it; one already gone is not an error.
func (st *State) Unbind() error {
	if !st.Bound {
		return nil
	}
	if err := unix.Unmount(st.Rootfs, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
		return &os.PathError{Op: "unmount rootfs bind", Path: st.Rootfs, Err: err}
	}
	return nil
}
