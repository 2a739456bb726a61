package container

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/hooks"
	"goc.dev/shared/process"
	"goc.dev/shared/state"
)

// State reports one container.
func State(root, cid string) (state.Info, error) {
	c, err := state.Load(root, cid)
	if err != nil {
		return state.Info{}, err
	}
	return c.Info(), nil
}

// List reports every container.
func List(root string) ([]state.Info, error) {
	cs, err := state.List(root)
	if err != nil {
		return nil, err
	}
	out := make([]state.Info, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.Info())
	}
	return out, nil
}

// Pause freezes every process of a running container; Resume thaws them.
func Pause(root, cid string) error  { return freeze(root, cid, true) }
func Resume(root, cid string) error { return freeze(root, cid, false) }

func freeze(root, cid string, pause bool) error {
	c, st, unlock, err := state.LoadLocked(root, cid)
	if err != nil {
		return err
	}
	defer unlock()
	if s := c.Status(st); s != state.Running {
		return fmt.Errorf("%w: %s is %s", state.ErrNotRunning, cid, s)
	}
	cg, err := st.Cgroup()
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

// running loads a container that must be running (or paused), for the
// verbs that act on its cgroup.
func running(root, cid string) (cgroups.Manager, error) {
	c, st, err := state.LoadState(root, cid)
	if err != nil {
		return nil, err
	}
	if s := c.Status(st); s == state.Stopped {
		return nil, fmt.Errorf("%w: %s", state.ErrNotRunning, cid)
	}
	return st.Cgroup()
}

// Pids lists the host PIDs of the container's processes: none once it has
// stopped (runc ps lists none then, and succeeds).
func Pids(root, cid string) ([]int, error) {
	c, st, err := state.LoadState(root, cid)
	if err != nil || c.Status(st) == state.Stopped {
		return nil, err
	}
	cg, err := st.Cgroup()
	if err != nil {
		return nil, err
	}
	return cg.Pids()
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
// its cgroup, which, as runc's, is not an error once the container has
// stopped (what is left in its cgroup gets it). sig 0 only checks.
func Kill(root, cid string, sig syscall.Signal, all bool) error {
	c, st, err := state.LoadState(root, cid)
	if err != nil {
		return err
	}
	if c.Status(st) == state.Stopped && !all {
		return fmt.Errorf("%w: %s", state.ErrNotRunning, cid)
	}
	if all {
		cg, err := st.Cgroup()
		if err == nil {
			err = cgroups.Signal(cg, sig)
		}
		if errors.Is(err, os.ErrNotExist) && c.Status(st) == state.Stopped {
			return nil // its cgroup went with its last process
		}
		return err
	}
	if err := syscall.Kill(st.Pid, sig); err != nil {
		return fmt.Errorf("signal %d to %d: %w", sig, st.Pid, err)
	}
	return nil
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
		if st.Frozen() { // a paused container dies once thawed (v1)
			if cg, err := st.Cgroup(); err == nil {
				_ = cg.Freeze(false)
			}
		}
		for i := 0; i < 1000 && process.Alive(st.Pid, st.Start); i++ {
			time.Sleep(10 * time.Millisecond)
		}
	}
	cg, err := st.Cgroup()
	if err != nil {
		return err
	}
	if err := cg.Destroy(); err != nil {
		return err
	}
	if err := st.Unbind(); err != nil {
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
	hooks.Poststop(st.Hooks, st.OCI(state.Stopped))
	return nil
}

// ImageInUse reports whether a container under root runs from image name.
func ImageInUse(root, name string) bool { return state.ImageInUse(root, name) }
