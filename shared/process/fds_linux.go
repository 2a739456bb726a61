package process

import (
	"fmt"
	"os"

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
