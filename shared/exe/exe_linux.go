// Package exe gives goC a copy of its own binary, or of the init program
// beside it, that a container cannot rewrite.
//
// goC starts the container's init from a binary of its own (itself, re-executed,
// or goC-init from stage 4 on). If that process ran the file from the host's
// disk, a hostile container could open /proc/<pid>/exe while it runs and write
// through it once it has gone, replacing the host's binary (CVE-2019-5736).
// Running the init from a sealed memfd, or through a read-only overlay,
// instead makes that link point at a file nobody can write.
package exe

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// Sealed returns a sealed, close-on-exec memfd holding a copy of the running
// binary. Execute it through its /proc/self/fd path (see Path).
func Sealed() (*os.File, error) {
	src, err := os.Open("/proc/self/exe")
	if err != nil {
		return nil, fmt.Errorf("open own binary: %w", err)
	}
	defer src.Close()
	return sealed(src, "goC")
}

// sealed copies the program open at src into a sealed memfd named name.
func sealed(src *os.File, name string) (*os.File, error) {
	fi, err := src.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", src.Name(), err)
	}

	fd, err := memfdCreate(name)
	if err != nil {
		return nil, os.NewSyscallError("memfd_create", err)
	}
	mem := os.NewFile(uintptr(fd), "memfd:"+name)
	if err := fill(mem, src, fi.Size()); err != nil {
		mem.Close()
		return nil, err
	}
	const seals = unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	if _, err := unix.FcntlInt(mem.Fd(), unix.F_ADD_SEALS, seals); err != nil {
		mem.Close()
		return nil, os.NewSyscallError("seal memfd", err)
	}
	return high(mem)
}

// high moves f out of the way of the descriptors a child gets (exec.Cmd's
// ExtraFiles are dup'ed onto 3, 4, …): its /proc/self/fd path must still
// name this file when the child execs it. f is closed.
func high(f *os.File) (*os.File, error) {
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, highFd)
	f.Close()
	if err != nil {
		return nil, os.NewSyscallError("dup "+f.Name(), err)
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}

// highFd is where the sealed copy goes: above any ExtraFiles goC passes.
const highFd = 100

// Path is the name under which the process holding f can execute it.
func Path(f *os.File) string {
	return fmt.Sprintf("/proc/self/fd/%d", f.Fd())
}

// memfdCreate asks for an executable memfd. MFD_EXEC exists since Linux 6.3
// (where vm.memfd_noexec may otherwise forbid executing it); older kernels
// reject the flag and make every memfd executable anyway.
func memfdCreate(name string) (int, error) {
	const flags = unix.MFD_CLOEXEC | unix.MFD_ALLOW_SEALING
	fd, err := unix.MemfdCreate(name, flags|unix.MFD_EXEC)
	if err == unix.EINVAL {
		fd, err = unix.MemfdCreate(name, flags)
	}
	return fd, err
}

// fill copies size bytes of src into mem, in the kernel where it can.
func fill(mem, src *os.File, size int64) error {
	if err := unix.Ftruncate(int(mem.Fd()), size); err != nil {
		return os.NewSyscallError("ftruncate memfd", err)
	}
	var off int64
	for off < size {
		n, err := unix.Sendfile(int(mem.Fd()), int(src.Fd()), &off, int(size-off))
		if err != nil || n == 0 {
			break
		}
	}
	if off == size {
		return nil
	}
	// sendfile refused (or stopped short): finish with a plain copy.
	if _, err := src.Seek(off, io.SeekStart); err != nil {
		return fmt.Errorf("copy %s: %w", src.Name(), err)
	}
	if _, err := mem.Seek(off, io.SeekStart); err != nil {
		return fmt.Errorf("copy %s: %w", src.Name(), err)
	}
	if _, err := io.CopyN(mem, src, size-off); err != nil {
		return fmt.Errorf("copy %s: %w", src.Name(), err)
	}
	return nil
}
