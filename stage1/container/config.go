// Package container is stage 1's runtime: parent.go starts and supervises
// the container, child.go is the container's init until it execs the
// workload. Config is what the one tells the other.
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
