// Package container is stage 4's runtime: the OCI lifecycle (create, start,
// state, kill, delete), with run as create + start + wait + delete.
//
// parent.go runs containers and create.go sets them up, one step of the
// protocol after the other, with goC-init (package initproc) as the
// container's init, and fds.go the descriptors the one passes the other.
// exec.go adds a process to a running container, ops.go holds the verbs
// that only read and change state.
package container

import (
	"os"

	"goc.dev/shared/cgroups"
	"goc.dev/shared/network"
	"goc.dev/shared/spec"
)

// Options describe one container to create.
type Options struct {
	ID          string
	Bundle      string
	Root        string // state root
	Plan        spec.Plan
	Runtime     spec.Runtime
	Annotations map[string]string

	PidFile       string
	ConsoleSocket string
	Network       network.Config // goC's own networking (run ROOTFS --network)
	// Image and Layer: the image the container runs from and the directory
	// of its writable layer (upper, work, merged), created by create and
	// removed by delete.
	Image, Layer string

	// Preserved are the caller's descriptors 3, 4, … the process gets at
	// the same numbers (--preserve-fds).
	Preserved []*os.File

	// Foreground: the caller waits for the container (run): it dies with
	// goC, and a terminal is relayed to goC's own. Keep (runc run --keep)
	// leaves it, stopped, once its process has exited, for delete.
	Foreground, Keep bool

	// OnStart, if set, is called with the container's address ("" without
	// a bridge) once it runs (stage 5's shim records it).
	OnStart func(ip string)
}

// ExecOptions describe one more process for a running container.
type ExecOptions struct {
	Root, ID      string
	Plan          spec.Plan // the process: args, env, cwd, user, capabilities, seccomp…
	Detach        bool
	PidFile       string
	ConsoleSocket string
	Preserved     []*os.File // handed on at 3, 4, … (--preserve-fds)
	IgnorePaused  bool       // exec into a paused container too (the process waits, frozen, for resume)
	Cgroups       []string   // runc's --cgroup: sub-cgroups to run it in (spec.SubCgroups)
}

// Result is how a container ended (run).
type Result struct {
	Status int           // what goC exits with
	Stats  cgroups.Stats // what its cgroup counted
	IP     string        // its address, in bridge mode
}
