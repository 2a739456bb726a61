package namespace

import (
	"os"

	"golang.org/x/sys/unix"
)

// syscallInsn is arm64's "svc #0".
var syscallInsn = []byte{0x01, 0x00, 0x00, 0xd4}

// regs are a tracee's registers (NT_PRSTATUS).
type regs struct{ r unix.PtraceRegsArm64 }

func (r *regs) get(pid int) error {
	return os.NewSyscallError("ptrace getregset", unix.PtraceGetRegSetArm64(pid, unix.NT_PRSTATUS, &r.r))
}

func (r *regs) set(pid int) error {
	return os.NewSyscallError("ptrace setregset", unix.PtraceSetRegSetArm64(pid, unix.NT_PRSTATUS, &r.r))
}

func (r *regs) pc() uintptr { return uintptr(r.r.Pc) }

// setSyscall sets the number (x8) and arguments (x0, x1) of a system call.
func (r *regs) setSyscall(nr, a0, a1 uintptr) {
	r.r.Regs[8], r.r.Regs[0], r.r.Regs[1] = uint64(nr), uint64(a0), uint64(a1)
}

func (r *regs) ret() uint64 { return r.r.Regs[0] }
