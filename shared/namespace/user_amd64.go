package namespace

import (
	"os"

	"golang.org/x/sys/unix"
)

// syscallInsn is amd64's "syscall".
var syscallInsn = []byte{0x0f, 0x05}

// regs are a tracee's registers.
type regs struct{ r unix.PtraceRegs }

func (r *regs) get(pid int) error {
	return os.NewSyscallError("ptrace getregs", unix.PtraceGetRegs(pid, &r.r))
}

func (r *regs) set(pid int) error {
	return os.NewSyscallError("ptrace setregs", unix.PtraceSetRegs(pid, &r.r))
}

func (r *regs) pc() uintptr { return uintptr(r.r.Rip) }

// setSyscall sets the number and arguments of a system call; no system
// call is being restarted (orig_rax -1).
func (r *regs) setSyscall(nr, a0, a1 uintptr) {
	r.r.Rax, r.r.Rdi, r.r.Rsi, r.r.Orig_rax = uint64(nr), uint64(a0), uint64(a1), ^uint64(0)
}

func (r *regs) ret() uint64 { return r.r.Rax }
