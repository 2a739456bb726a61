// Package container is stage 1's runtime: Run runs a container in
// namespaces of its own, from its start to its end.
//
// parent.go runs containers and create.go sets them up, one step of the
// protocol after the other; child.go is the container's init until it
// execs the workload, and fds.go the descriptors the one passes the other.
// Config is what the one tells the other.
package container

import "goc.dev/shared/pty"

// Config describes one container run.
type Config struct {
	Rootfs   string      `json:"rootfs"`   // absolute host path of the root filesystem
	Args     []string    `json:"args"`     // the workload's argv
	Env      []string    `json:"env"`      // the workload's environment
	Cwd      string      `json:"cwd"`      // working directory inside the container
	Hostname string      `json:"hostname"` // UTS namespace hostname
	Tty      bool        `json:"tty"`      // give the workload a terminal
	Winsize  pty.Winsize `json:"winsize"`  // its initial size
}
