//go:build linux && !amd64 && !arm64

package namespace

import (
	"errors"
	"runtime"
)

// syscallInsn is unknown here: no exec into a user namespace.
var syscallInsn []byte

type regs struct{}

var errArch = errors.New("entering a user namespace is not supported on " + runtime.GOARCH)

func (r *regs) get(int) error              { return errArch }
func (r *regs) set(int) error              { return errArch }
func (r *regs) pc() uintptr                { return 0 }
func (r *regs) setSyscall(_, _, _ uintptr) {}
func (r *regs) ret() uint64                { return 0 }
