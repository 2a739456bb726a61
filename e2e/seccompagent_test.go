package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// seccompNotif and seccompNotifResp are the kernel's struct seccomp_notif
// and seccomp_notif_resp (linux/seccomp.h).
type seccompNotif struct {
	ID    uint64
	Pid   uint32
	Flags uint32
	Nr    int32
	Arch  uint32
	IP    uint64
	Args  [6]uint64
}

type seccompNotifResp struct {
	ID    uint64
	Val   int64
	Error int32
	Flags uint32
}

// seccompagent SOCKET ERRNO plays a seccomp agent (linux.seccomp.listenerPath):
// it listens on SOCKET and, for each runtime that connects, prints the
// seccomp state it was sent (its field names, fds, metadata, status) and
// answers every syscall notified on the descriptor that came with it with
// -ERRNO ("answered mkdir errno 13"), until it is signalled.
func seccompagent() {
	if len(os.Args) != 3 {
		fatalf("usage: seccompagent socket errno")
	}
	errno, err := strconv.Atoi(os.Args[2])
	if err != nil {
		fatalf("seccompagent: %v", err)
	}
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: os.Args[1], Net: "unix"})
	if err != nil {
		fatalf("seccompagent: %v", err)
	}
	fmt.Println("listening")
	var mu sync.Mutex
	for {
		c, err := l.AcceptUnix()
		if err != nil {
			fatalf("seccompagent: %v", err)
		}
		fd := agentState(c)
		go agentAnswer(fd, int32(errno), &mu)
	}
}

// agentState reads the state and the descriptor from c and prints them.
func agentState(c *net.UnixConn) int {
	defer c.Close()
	buf, oob := make([]byte, 1<<16), make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		fatalf("seccompagent: %v", err)
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		fatalf("seccompagent: no descriptor: %v", err)
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		fatalf("seccompagent: no descriptor: %v", err)
	}
	var st map[string]any
	if err := json.Unmarshal(buf[:n], &st); err != nil {
		fatalf("seccompagent: %q: %v", buf[:n], err)
	}
	state, _ := st["state"].(map[string]any)
	fmt.Printf("fields: %s\nstate fields: %s\nfds: %v\nmetadata: %v\nstatus: %v\nprocess is init: %v\n",
		keys(st), keys(state), st["fds"], st["metadata"], state["status"], st["pid"] == state["pid"])
	return fds[0]
}

func keys(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, " ")
}

// agentAnswer answers the notifications on fd with -errno until the
// filter has no process left.
func agentAnswer(fd int, errno int32, mu *sync.Mutex) {
	for {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(pfd, -1); err != nil && err != unix.EINTR {
			fatalf("seccompagent: poll: %v", err)
		}
		if pfd[0].Revents&unix.POLLIN == 0 {
			return // POLLHUP: every process under the filter is gone
		}
		var req seccompNotif
		if err := notifIoctl(fd, unix.SECCOMP_IOCTL_NOTIF_RECV, unsafe.Pointer(&req)); err != nil {
			continue // the process went away meanwhile
		}
		resp := seccompNotifResp{ID: req.ID, Error: -errno}
		_ = notifIoctl(fd, unix.SECCOMP_IOCTL_NOTIF_SEND, unsafe.Pointer(&resp))
		name := strconv.Itoa(int(req.Nr))
		switch req.Nr {
		case unix.SYS_MKDIR:
			name = "mkdir"
		case unix.SYS_MKDIRAT:
			name = "mkdirat"
		}
		mu.Lock()
		fmt.Printf("answered %s errno %d\n", name, errno)
		mu.Unlock()
	}
}

func notifIoctl(fd int, req uint, arg unsafe.Pointer) error {
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg)); e != 0 {
		return e
	}
	return nil
}
