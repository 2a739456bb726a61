package container

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/process"
	"goc.dev/shared/state"
)

// Info is what state and list report of a container: the OCI state, and
// goC's additions (as runc adds them).
type Info struct {
	OCIVersion  string            `json:"ociVersion"`
	ID          string            `json:"id"`
	Status      string            `json:"status"`
	Pid         int               `json:"pid"`
	Bundle      string            `json:"bundle"`
	Rootfs      string            `json:"rootfs,omitempty"`
	Created     time.Time         `json:"created,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

func info(c *state.Container) Info {
	st, err := c.Read()
	i := Info{OCIVersion: specs.Version, ID: c.ID, Status: c.Status(st)}
	if err != nil {
		return i
	}
	if i.Status == state.Running && frozen(st) {
		i.Status = Paused
	}
	i.Bundle, i.Rootfs, i.Created, i.Annotations = st.Bundle, st.Rootfs, st.Created, st.Annotations
	if i.Status != state.Stopped {
		i.Pid = st.Pid
	}
	return i
}

// State reports one container.
func State(root, cid string) (Info, error) {
	c, err := state.Load(root, cid)
	if err != nil {
		return Info{}, err
	}
	return info(c), nil
}

// List reports every container.
func List(root string) ([]Info, error) {
	cs, err := state.List(root)
	if err != nil {
		return nil, err
	}
	out := make([]Info, 0, len(cs))
	for _, c := range cs {
		out = append(out, info(c))
	}
	return out, nil
}

// Paused is runc's status of a container whose processes are frozen.
const Paused = "paused"

// cgroupOf opens the container's cgroup.
func cgroupOf(st *state.State) (cgroups.Manager, error) {
	h, err := cgroups.Detect()
	if err != nil {
		return nil, err
	}
	return cgroups.Open(h, st.CgroupParent, st.CgroupName)
}

// frozen reports whether the container's cgroup is frozen (paused).
func frozen(st *state.State) bool {
	cg, err := cgroupOf(st)
	if err != nil {
		return false
	}
	f, err := cg.Frozen()
	return err == nil && f
}

// Pause freezes every process of a running container; Resume thaws them.
func Pause(root, cid string) error  { return freeze(root, cid, true) }
func Resume(root, cid string) error { return freeze(root, cid, false) }

func freeze(root, cid string, pause bool) error {
	c, st, unlock, err := loadLocked(root, cid)
	if err != nil {
		return err
	}
	defer unlock()
	if s := c.Status(st); s != state.Running {
		return fmt.Errorf("container %s is %s, not running", cid, s)
	}
	cg, err := cgroupOf(st)
	if err != nil {
		return err
	}
	switch isFrozen, err := cg.Frozen(); {
	case err != nil:
		return err
	case pause && isFrozen:
		return fmt.Errorf("container %s is already paused", cid)
	case !pause && !isFrozen:
		return fmt.Errorf("container %s is not paused", cid)
	}
	return cg.Freeze(pause)
}

// load reads a container's state, which it has once created.
func load(root, cid string) (*state.Container, *state.State, error) {
	c, err := state.Load(root, cid)
	if err != nil {
		return nil, nil, err
	}
	st, err := c.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("container %s is still being created", cid)
	}
	return c, st, nil
}

// loadLocked reads a container's state under its lock; unlock releases it.
func loadLocked(root, cid string) (c *state.Container, st *state.State, unlock func(), err error) {
	if c, err = state.Load(root, cid); err != nil {
		return nil, nil, nil, err
	}
	if unlock, err = c.Lock(); err != nil {
		return nil, nil, nil, err
	}
	if st, err = c.Read(); err != nil {
		unlock()
		return nil, nil, nil, fmt.Errorf("container %s is still being created", cid)
	}
	return c, st, unlock, nil
}

// running loads a container that must be running (or paused), for the
// verbs that act on its cgroup.
func running(root, cid string) (cgroups.Manager, error) {
	c, st, err := load(root, cid)
	if err != nil {
		return nil, err
	}
	if s := c.Status(st); s == state.Stopped {
		return nil, fmt.Errorf("container %s is not running", cid)
	}
	return cgroupOf(st)
}

// Pids lists the host PIDs of the container's processes.
func Pids(root, cid string) ([]int, error) {
	cg, err := running(root, cid)
	if err != nil {
		return nil, err
	}
	return cgroupPids(cg)
}

// cgroupPids lists the processes in a container's cgroup (each once: on
// v1 they are in every hierarchy).
func cgroupPids(cg cgroups.Manager) ([]int, error) {
	seen := map[int]bool{}
	pids := []int{}
	for _, d := range cg.Dirs() {
		b, err := os.ReadFile(d + "/cgroup.procs")
		if err != nil {
			return nil, err
		}
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil && !seen[pid] {
				seen[pid] = true
				pids = append(pids, pid)
			}
		}
	}
	sort.Ints(pids)
	return pids, nil
}

// Update changes a running container's limits; zero fields stay as they
// are.
func Update(root, cid string, r cgroups.Resources) error {
	cg, err := running(root, cid)
	if err != nil {
		return err
	}
	return cg.Apply(r)
}

// Usage reads what a running container uses now.
func Usage(root, cid string) (cgroups.Usage, cgroups.Stats, error) {
	cg, err := running(root, cid)
	if err != nil {
		return cgroups.Usage{}, cgroups.Stats{}, err
	}
	st, err := cg.Stats()
	return cgroups.ReadUsage(cg), st, err
}

// Kill sends sig to the container's init, or with all to every process in
// its cgroup.
func Kill(root, cid string, sig syscall.Signal, all bool) error {
	c, st, err := load(root, cid)
	if err != nil {
		return err
	}
	if c.Status(st) == state.Stopped {
		return fmt.Errorf("container %s is not running", cid)
	}
	if all {
		cg, err := cgroupOf(st)
		if err != nil {
			return err
		}
		return signalCgroup(cg, sig)
	}
	if err := syscall.Kill(st.Pid, sig); err != nil {
		return fmt.Errorf("signal %d to %d: %w", sig, st.Pid, err)
	}
	return nil
}

func signalCgroup(cg cgroups.Manager, sig syscall.Signal) error {
	pids, err := cgroupPids(cg)
	for _, pid := range pids {
		_ = syscall.Kill(pid, sig)
	}
	return err
}

// Delete removes a container: its cgroup (killing what is left in it) and
// its state. A running container needs force; a created one is killed. With
// force an unknown ID is not an error (container managers rely on that).
func Delete(root, cid string, force bool) error {
	c, err := state.Load(root, cid)
	if errors.Is(err, state.ErrNotExist) && force {
		return nil
	}
	if err != nil {
		return err
	}
	unlock, err := c.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	st, err := c.Read()
	if err != nil {
		if !force {
			return fmt.Errorf("container %s is still being created", cid)
		}
		return c.Remove()
	}
	switch c.Status(st) {
	case state.Running:
		if !force {
			return fmt.Errorf("cannot delete container %s that is running: stop it first, or use --force", cid)
		}
		fallthrough
	case state.Created:
		_ = syscall.Kill(st.Pid, syscall.SIGKILL)
		if frozen(st) { // a paused container dies once thawed (v1)
			if cg, err := cgroupOf(st); err == nil {
				_ = cg.Freeze(false)
			}
		}
		for i := 0; i < 1000 && process.Alive(st.Pid, st.Start); i++ {
			time.Sleep(10 * time.Millisecond)
		}
	}
	cg, err := cgroupOf(st)
	if err != nil {
		return err
	}
	if err := cg.Destroy(); err != nil {
		return err
	}
	if st.Layer != "" {
		if err := os.RemoveAll(st.Layer); err != nil {
			return err
		}
	}
	if err := c.Remove(); err != nil {
		return err
	}
	stopped(st)
	return nil
}

// ImageInUse reports whether a container under root runs from image name.
func ImageInUse(root, name string) bool {
	cs, _ := state.List(root)
	for _, c := range cs {
		if st, err := c.Read(); err == nil && st.Image == name {
			return true
		}
	}
	return false
}
