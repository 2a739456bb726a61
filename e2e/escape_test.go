package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// escapeprobe [HOSTPID] runs inside a container and tries, one by one,
// what a container escape starts with (issue 13), printing "NAME: ok" or
// "NAME: ERRNO" for each. It never changes the host: /proc/sys gets back
// the value it had, the module is garbage, kexec_load has an unknown flag,
// the disk is only read. HOSTPID, a process of the host's, is what it
// tries to ptrace. It first prints the status lines that say how it is
// confined (CapEff, CapBnd, Seccomp, NoNewPrivs). "escapeprobe host-disk",
// on the host, prints what the host's root gets reading its disk (through a
// node of its own, as the container does), the
// measure of --privileged's read-disk (some hosts refuse it even to root).
func escapeprobe() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "userns-child":
			os.Exit(usernsChild())
		case "host-disk":
			node := filepath.Join(os.TempDir(), "probe-host-disk")
			err := mknodDisk(node)
			if err == nil {
				err = readFile(node, 512)
				os.Remove(node)
			}
			fmt.Printf("read-disk: %s\n", result(err))
			return
		}
	}
	status, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(status), "\n") {
		k, v, _ := strings.Cut(l, ":")
		switch k {
		case "CapEff", "CapBnd", "Seccomp", "NoNewPrivs":
			fmt.Printf("%s: %s\n", k, strings.TrimSpace(v))
		}
	}
	hostPid := 0
	if len(os.Args) > 1 {
		fmt.Sscan(os.Args[1], &hostPid)
	}
	for _, p := range []struct {
		name string
		try  func() error
	}{
		{"mount", func() error { return unix.Mount("tmpfs", mkdir("/tmp/probe-mnt"), "tmpfs", 0, "") }},
		{"remount-sys-rw", func() error {
			return unix.Mount("sysfs", "/sys", "sysfs", unix.MS_REMOUNT|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "")
		}},
		{"write-proc-sys", writeBack("/proc/sys/kernel/core_pattern")},
		{"init_module", func() error { return unix.InitModule(make([]byte, 64), "") }},
		{"finit_module", finitModule},
		{"kexec_load", kexecLoad},
		{"open_by_handle_at", openByHandle},
		{"keyctl", func() error { _, err := unix.KeyctlJoinSessionKeyring("goC-probe"); return err }},
		{"bpf", bpfMap},
		{"userns-mount", usernsMount},
		{"ptrace-outside", func() error { return unix.PtraceAttach(hostPid) }},
		{"mknod-disk", func() error { return mknodDisk("/tmp/probe-disk") }},
		{"read-disk", func() error { return readFile("/tmp/probe-disk", 512) }},
	} {
		fmt.Printf("%s: %s\n", p.name, result(p.try()))
	}
	for _, f := range []string{"/proc/keys", "/proc/timer_list", "/proc/interrupts", "/sys/firmware"} {
		fmt.Printf("read %s: %s\n", f, masked(f))
	}
}

// result is "ok", or the error's errno name (EPERM), or the error.
func result(err error) string {
	var errno syscall.Errno
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &errno) && unix.ErrnoName(errno) != "":
		return unix.ErrnoName(errno)
	}
	return err.Error()
}

// writeBack writes to a /proc/sys file the value it holds.
func writeBack(path string) func() error {
	return func() error {
		v, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = f.Write(v)
		return err
	}
}

func finitModule() error {
	f, err := os.CreateTemp("", "probe-module")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := f.Write(make([]byte, 64)); err != nil {
		return err
	}
	return unix.FinitModule(int(f.Fd()), "", 0)
}

// kexecLoad asks with a flag the kernel does not know (0x8000): EINVAL once
// the caller may load a kernel at all, EPERM before.
func kexecLoad() error {
	_, _, e := unix.Syscall6(unix.SYS_KEXEC_LOAD, 0, 0, 0, 0x8000, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// openByHandle is the "shocker" step: a handle of /, opened again.
func openByHandle() error {
	h, _, err := unix.NameToHandleAt(unix.AT_FDCWD, "/", 0)
	if err != nil {
		h = unix.NewFileHandle(1, make([]byte, 8)) // a made-up handle: the call is what is tried
	}
	root, err := unix.Open("/", unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	defer unix.Close(root)
	fd, err := unix.OpenByHandleAt(root, h, unix.O_RDONLY)
	if err != nil {
		return err
	}
	return unix.Close(fd)
}

// bpfMap creates a one-entry array map (and closes it).
func bpfMap() error {
	attr := struct{ typ, keySize, valueSize, maxEntries uint32 }{2, 4, 4, 1} // BPF_MAP_TYPE_ARRAY
	fd, _, e := unix.Syscall(unix.SYS_BPF, 0, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	if e != 0 {
		return e
	}
	return unix.Close(int(fd))
}

// usernsMount starts itself in a new user and mount namespace, where it
// mounts a tmpfs: the clone's error, or the child's.
func usernsMount() error {
	cmd := exec.Command("/proc/self/exe", "userns-child")
	cmd.Args[0] = "escapeprobe" // the helper's name: what the test binary runs
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  unix.CLONE_NEWUSER | unix.CLONE_NEWNS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 1}},
	}
	out, err := cmd.CombinedOutput()
	if err != nil && len(out) > 0 {
		return errors.New(strings.TrimSpace(string(out)))
	}
	return err
}

func usernsChild() int {
	if err := unix.Mount("tmpfs", mkdir("/tmp/probe-mnt"), "tmpfs", 0, ""); err != nil {
		fmt.Println(result(err))
		return 1
	}
	return 0
}

func mkdir(path string) string {
	_ = os.MkdirAll(path, 0o755)
	return path
}

// mknodDisk makes a node of the host's first disk at path (afresh).
func mknodDisk(path string) error {
	_, dev, err := firstDisk()
	if err != nil {
		return err
	}
	_ = os.Remove(path)
	return unix.Mknod(path, unix.S_IFBLK|0o600, dev)
}

// firstDisk is the host's first disk (not a loop, ram or zram device), as
// /sys/block lists it: its name and device number; 8:0 if there is none.
func firstDisk() (string, int, error) {
	devs, _ := filepath.Glob("/sys/block/*/dev")
	for _, d := range devs {
		name := filepath.Base(filepath.Dir(d))
		if strings.HasPrefix(name, "loop") || strings.HasPrefix(name, "zram") || strings.HasPrefix(name, "ram") {
			continue
		}
		var major, minor uint32
		b, err := os.ReadFile(d)
		if err != nil {
			return "", 0, err
		}
		if _, err := fmt.Sscanf(string(b), "%d:%d", &major, &minor); err != nil {
			return "", 0, err
		}
		return name, int(unix.Mkdev(major, minor)), nil
	}
	// No disk (the test VM has none): the first SCSI disk's number, 8:0.
	// The device cgroup refuses its open before any driver is asked; with
	// no such disk, what may open it gets ENXIO.
	return "sda", int(unix.Mkdev(8, 0)), nil
}

func readFile(path string, n int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.Read(make([]byte, n))
	return err
}

// masked says whether path shows the host's content ("visible") or is
// masked: an empty file (/dev/null) or directory (an empty tmpfs).
func masked(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return result(err)
	}
	if fi.IsDir() {
		ents, err := os.ReadDir(path)
		if err != nil {
			return result(err)
		}
		if len(ents) == 0 {
			return "masked"
		}
		return "visible"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return result(err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return "masked"
	}
	return "visible"
}
