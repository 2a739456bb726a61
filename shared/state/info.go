package state

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/process"
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

// Info reports the container as it is now: its status derived from the
// live system, paused when its cgroup is frozen; its PID until it has
// stopped. One whose state.json cannot be read is stopped, with a warning.
func (c *Container) Info() Info {
	st, err := c.Read()
	i := Info{OCIVersion: specs.Version, ID: c.ID, Status: c.Status(st)}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		// Damaged (issue 17): named, and stopped for whoever manages
		// it, so that delete --force removes what is left of it.
		slog.Warn("container state damaged: reported stopped; goC delete --force removes it", "id", c.ID, "err", err)
		i.Status = Stopped
	}
	if err != nil {
		return i
	}
	if i.Status == Running && st.Frozen() {
		i.Status = Paused
	}
	i.Bundle, i.Rootfs, i.Created, i.Annotations = st.Bundle, st.Rootfs, st.Created, st.Annotations
	if i.Status != Stopped {
		i.Pid = st.Pid
	}
	return i
}

// OCI is the container's state as the runtime spec has it (what hooks
// read on their stdin), with the given status; the PID until it has
// stopped.
func (s *State) OCI(status string) specs.State {
	o := specs.State{Version: specs.Version, ID: s.ID, Status: specs.ContainerState(status), Bundle: s.Bundle, Annotations: s.Annotations}
	if status != Stopped {
		o.Pid = s.Pid
	}
	return o
}

// findCgroup opens a container's cgroup (a variable: tests open one on a
// fake cgroupfs).
var findCgroup = cgroups.Find

// Cgroup opens the container's cgroup.
func (s *State) Cgroup() (cgroups.Manager, error) {
	return findCgroup(s.CgroupParent, s.CgroupName, s.CgroupBases)
}

// Frozen reports whether the container's cgroup is frozen (paused); false
// when it cannot tell.
func (s *State) Frozen() bool {
	cg, err := s.Cgroup()
	if err != nil {
		return false
	}
	f, err := cg.Frozen()
	return err == nil && f
}

// LoadState finds a container that has been created, and reads its state.
func LoadState(root, cid string) (*Container, *State, error) {
	c, err := Load(root, cid)
	if err != nil {
		return nil, nil, err
	}
	st, err := c.read()
	if err != nil {
		return nil, nil, err
	}
	return c, st, nil
}

// LoadLocked is LoadState under the container's lock, which unlock
// releases.
func LoadLocked(root, cid string) (c *Container, st *State, unlock func(), err error) {
	if c, err = Load(root, cid); err != nil {
		return nil, nil, nil, err
	}
	if unlock, err = c.Lock(); err != nil {
		return nil, nil, nil, err
	}
	if st, err = c.read(); err != nil {
		unlock()
		return nil, nil, nil, err
	}
	return c, st, unlock, nil
}

// read is Read for a container that must be created: one being created
// has no state yet (nor one whose state cannot be read).
func (c *Container) read() (*State, error) {
	st, err := c.Read()
	if err != nil {
		return nil, fmt.Errorf("container %s is still being created", c.ID)
	}
	return st, nil
}

// Self names the calling process for good (PID and start time): the goC
// that runs a container in the foreground (State.RunBy).
func Self() (*Owner, error) {
	me := &Owner{PID: os.Getpid()}
	var err error
	if me.Start, err = process.StartTime(me.PID); err != nil {
		return nil, err
	}
	return me, nil
}

// Orphans lists the containers under root whose foreground goC died
// without deleting them (State.Orphaned).
func Orphans(root string) []string {
	var ids []string
	cs, _ := List(root)
	for _, c := range cs {
		if st, err := c.Read(); err == nil && st.Orphaned() {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// ImageInUse reports whether a container under root runs from image name.
func ImageInUse(root, name string) bool {
	cs, _ := List(root)
	for _, c := range cs {
		if st, err := c.Read(); err == nil && st.Image == name {
			return true
		}
	}
	return false
}
