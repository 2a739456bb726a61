package namespace

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// startInUser starts cmd and moves it into the user namespace user before
// it runs a single instruction of its own.
//
// No thread of a Go program can enter a user namespace: setns refuses a
// process with more than one thread, and the Go runtime starts its own
// before main. (runc's nsexec enters it in C, before the Go runtime
// starts.) But a process is one thread at the moment its exec completes.
// So cmd is started traced (PTRACE_TRACEME): the kernel stops it right
// after its exec, at its entry point. goC, its tracer, has it make two
// system calls there — setns(fd, CLONE_NEWUSER), then close(fd), fd being
// the namespace's file passed last in ExtraFiles — by writing a syscall
// instruction over the entry point, setting the registers and stepping
// once; then puts the instruction and registers back and lets it go.
//
// The caller has locked the thread (the tracer is the thread that forks).
func startInUser(cmd *exec.Cmd, user *os.File) error {
	attr := syscall.SysProcAttr{}
	if cmd.SysProcAttr != nil {
		attr = *cmd.SysProcAttr
	}
	attr.Ptrace = true
	cmd.SysProcAttr = &attr
	cmd.ExtraFiles = append(cmd.ExtraFiles[:len(cmd.ExtraFiles):len(cmd.ExtraFiles)], user)
	fd := uintptr(2 + len(cmd.ExtraFiles))
	if err := cmd.Start(); err != nil {
		return err
	}
	pid := cmd.Process.Pid
	err := awaitTrap(pid)
	if err == nil {
		err = inject(pid, unix.SYS_SETNS, fd, unix.CLONE_NEWUSER)
	}
	if err == nil {
		err = inject(pid, unix.SYS_CLOSE, fd, 0)
	}
	if err == nil {
		err = os.NewSyscallError("ptrace detach", unix.PtraceDetach(pid))
	}
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return fmt.Errorf("join user namespace: %w", err)
	}
	return nil
}

// inject has the stopped tracee pid make system call nr with arguments
// a0 and a1 at its current instruction, and returns its error.
func inject(pid int, nr, a0, a1 uintptr) error {
	var saved regs
	if err := saved.get(pid); err != nil {
		return err
	}
	pc := saved.pc()
	orig := make([]byte, len(syscallInsn))
	if _, err := unix.PtracePeekText(pid, pc, orig); err != nil {
		return os.NewSyscallError("ptrace peek", err)
	}
	if _, err := unix.PtracePokeText(pid, pc, syscallInsn); err != nil {
		return os.NewSyscallError("ptrace poke", err)
	}
	r := saved
	r.setSyscall(nr, a0, a1)
	err := r.set(pid)
	if err == nil {
		err = os.NewSyscallError("ptrace singlestep", unix.PtraceSingleStep(pid))
	}
	if err == nil {
		err = awaitTrap(pid)
	}
	if err == nil {
		err = r.get(pid)
	}
	if _, perr := unix.PtracePokeText(pid, pc, orig); perr != nil && err == nil {
		err = os.NewSyscallError("ptrace poke", perr)
	}
	if serr := saved.set(pid); serr != nil && err == nil {
		err = serr
	}
	if ret := int64(r.ret()); err == nil && ret < 0 && ret > -4096 {
		err = os.NewSyscallError(map[uintptr]string{unix.SYS_SETNS: "setns", unix.SYS_CLOSE: "close"}[nr], unix.Errno(-ret))
	}
	return err
}

// awaitTrap waits for the tracee pid to stop with SIGTRAP (after its
// exec, or a step).
func awaitTrap(pid int) error {
	var ws unix.WaitStatus
	for {
		_, err := unix.Wait4(pid, &ws, unix.WALL, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return os.NewSyscallError("wait4", err)
		}
		break
	}
	if !ws.Stopped() || ws.StopSignal() != unix.SIGTRAP {
		return fmt.Errorf("process %d: status %#x where a trap was awaited", pid, int(ws))
	}
	return nil
}
