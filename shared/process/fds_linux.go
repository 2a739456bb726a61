package process

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Inherited returns descriptors first…first+n-1, which the caller of goC
// passed on (--preserve-fds): each must be open and not close-on-exec — a
// descriptor that survived goC's own exec. Anything else at those numbers
// is goC's: the Go runtime itself keeps cgroup files open (close-on-exec)
// at the lowest free numbers, which would be 3 and 4 had the caller
// passed nothing.
func Inherited(first, n int) ([]*os.File, error) {
	files := make([]*os.File, 0, n)
	for fd := first; fd < first+n; fd++ {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC != 0 {
			return nil, fmt.Errorf("--preserve-fds %d: descriptor %d was not passed to goC", n, fd)
		}
		files = append(files, os.NewFile(uintptr(fd), fmt.Sprintf("preserved fd %d", fd)))
	}
	return files, nil
}

// Preserved are the descriptors goC's caller passed on, as Inherited took
// them: as many as the command line's --preserve-fds said.
type Preserved []*os.File

// First returns the first n: a verb's own --preserve-fds decides how many
// are handed on (the early scan only took them).
func (p Preserved) First(n int) ([]*os.File, error) {
	if n < 0 || n > len(p) {
		return nil, fmt.Errorf("--preserve-fds %d: not that many descriptors open", n)
	}
	return p[:n], nil
}

// PreserveFds finds the value of --preserve-fds among a command line's
// arguments (0 without it, or when it is not a number: the flag parser
// reports that), so that Inherited can take the descriptors before goC
// opens anything of its own (a --log file could fill a gap).
func PreserveFds(args []string) int {
	for i, a := range args {
		v, ok := strings.CutPrefix(a, "--preserve-fds=")
		if !ok && a == "--preserve-fds" && i+1 < len(args) {
			v, ok = args[i+1], true
		}
		if n, err := strconv.Atoi(v); ok && err == nil && n > 0 && n < 1<<16 {
			return n
		}
	}
	return 0
}
