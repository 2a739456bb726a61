// Package container is stage 3's runtime: Run runs a container in
// namespaces of its own, under limits and (--network) on a network of its
// own, from its start to its end.
//
// parent.go runs containers and create.go sets them up, one step of the
// protocol after the other; child.go is the container's init until it
// execs the workload, and fds.go the descriptors the one passes the other.
// Config is what the one tells the other.
package container

import (
	"goc.dev/shared/cgroups"
	"goc.dev/shared/network"
	"goc.dev/shared/pty"
)

// Config describes one container run.
type Config struct {
	Rootfs   string      `json:"rootfs"`   // absolute host path of the root filesystem
	Args     []string    `json:"args"`     // the workload's argv
	Env      []string    `json:"env"`      // the workload's environment
	Cwd      string      `json:"cwd"`      // working directory inside the container
	Hostname string      `json:"hostname"` // UTS namespace hostname
	Tty      bool        `json:"tty"`      // give the workload a terminal
	Winsize  pty.Winsize `json:"winsize"`  // its initial size

	// Files are host files bind-mounted over paths of the rootfs
	// (/etc/hosts, /etc/resolv.conf): target → source.
	Files map[string]string `json:"files,omitempty"`

	// CgroupFds are where the init finds the files to join the cgroup
	// through (fds.go lays them out).
	CgroupFds []int `json:"cgroupFds,omitempty"`

	// Only the parent needs these.
	ID           string            `json:"-"` // the container's ID: its cgroup's name
	Resources    cgroups.Resources `json:"-"` // the limits
	CgroupParent string            `json:"-"` // where its cgroup goes ("goC")
	Network      network.Config    `json:"-"` // how it is networked
}

// Result is how a container ended.
type Result struct {
	Status int           // what goC exits with
	Stats  cgroups.Stats // what its cgroup counted
	IP     string        // its address, in bridge mode
}
