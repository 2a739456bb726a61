// Package namespace names the Linux namespaces goC creates for a container
// and turns a set of them into clone(2) flags; it also enters namespaces to
// start a process there: a running container's (goC exec), or those
// config.json names by path (goC create).
package namespace

import (
	"fmt"
	"strings"
)

// Type is a namespace kind, spelled as in /proc/<pid>/ns and the OCI spec.
type Type string

// The namespace kinds goC knows.
const (
	PID     Type = "pid"
	Mount   Type = "mnt"
	UTS     Type = "uts"
	IPC     Type = "ipc"
	Network Type = "net"
	User    Type = "user"
	Cgroup  Type = "cgroup"
)

var flags = map[Type]uintptr{
	PID:     0x20000000, // CLONE_NEWPID
	Mount:   0x00020000, // CLONE_NEWNS
	UTS:     0x04000000, // CLONE_NEWUTS
	IPC:     0x08000000, // CLONE_NEWIPC
	Network: 0x40000000, // CLONE_NEWNET
	User:    0x10000000, // CLONE_NEWUSER
	Cgroup:  0x02000000, // CLONE_NEWCGROUP
}

// Flag returns the clone flag of t.
func (t Type) Flag() (uintptr, error) {
	f, ok := flags[t]
	if !ok {
		return 0, fmt.Errorf("unknown namespace type %q", string(t))
	}
	return f, nil
}

// CloneFlags ORs the flags of every type in ts.
func CloneFlags(ts ...Type) (uintptr, error) {
	var all uintptr
	for _, t := range ts {
		f, err := t.Flag()
		if err != nil {
			return 0, err
		}
		all |= f
	}
	return all, nil
}

// String lists ts as "pid,mnt,…".
func String(ts []Type) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ",")
}
