package seccomp

import (
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// The kernel's struct seccomp_notif and seccomp_notif_resp.
type notif struct {
	ID, _ uint64
	Nr    int32
	_     uint32
	_     uint64
	Args  [6]uint64
}

type notifResp struct {
	ID    uint64
	Val   int64
	Error int32
	Flags uint32
}

// A filter with an SCMP_ACT_NOTIFY rule, loaded for real (in a child
// process: a filter cannot be taken off): LoadIf hands its listener on,
// and the syscall waits for the answer given there.
func TestLoadNotify(t *testing.T) {
	if os.Getenv("GOC_SECCOMP_NOTIFY_CHILD") == "1" {
		notifyChild()
		return
	}
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	ours, theirs := os.NewFile(uintptr(pair[0]), "ours"), os.NewFile(uintptr(pair[1]), "theirs")
	defer ours.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLoadNotify$")
	cmd.Env = append(os.Environ(), "GOC_SECCOMP_NOTIFY_CHILD=1")
	cmd.ExtraFiles = []*os.File{theirs}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Start()
	theirs.Close() // the child's now: its end of file is ours
	if err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait() //nolint:errcheck // on a failure only

	c, err := net.FileConn(ours)
	if err != nil {
		t.Fatal(err)
	}
	buf, oob := make([]byte, 16), make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := c.(*net.UnixConn).ReadMsgUnix(buf, oob)
	if err != nil {
		t.Fatal(err)
	}
	msgs, _ := unix.ParseSocketControlMessage(oob[:oobn])
	if len(msgs) != 1 {
		_ = cmd.Wait()
		t.Fatalf("no descriptor; the child said %s", out.String())
	}
	fds, _ := unix.ParseUnixRights(&msgs[0])
	defer unix.Close(fds[0])
	var req notif
	if err := ioctl(fds[0], unix.SECCOMP_IOCTL_NOTIF_RECV, unsafe.Pointer(&req)); err != nil {
		t.Fatal(err)
	}
	if req.Nr != unix.SYS_GETPGID {
		t.Errorf("notified syscall %d, want getpgid", req.Nr)
	}
	resp := notifResp{ID: req.ID, Val: 4242}
	if err := ioctl(fds[0], unix.SECCOMP_IOCTL_NOTIF_SEND, unsafe.Pointer(&resp)); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil || out.String() != "getpgid 4242\n" {
		t.Errorf("the child: %v, %q", err, out.String())
	}
}

// notifyChild loads the filter, hands the listener to fd 3 and prints what
// getpgid returns: the parent's answer.
func notifyChild() {
	runtime.LockOSThread()
	p, err := Compile(&specs.LinuxSeccomp{DefaultAction: specs.ActAllow, ListenerPath: "/unused",
		Syscalls: []specs.LinuxSyscall{{Names: []string{"getpgid"}, Action: specs.ActNotify}}})
	if err == nil {
		err = unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
	}
	if err == nil {
		err = p.LoadIf(true, func(f *os.File) error {
			return unix.Sendmsg(3, []byte("fd"), unix.UnixRights(int(f.Fd())), nil, 0)
		})
	}
	if err != nil {
		os.Stdout.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	pgid, _, _ := unix.RawSyscall(unix.SYS_GETPGID, 0, 0, 0)
	os.Stdout.WriteString("getpgid " + strconv.Itoa(int(pgid)) + "\n")
	os.Exit(0)
}

func ioctl(fd int, req uint, arg unsafe.Pointer) error {
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg)); e != 0 {
		return e
	}
	return nil
}
