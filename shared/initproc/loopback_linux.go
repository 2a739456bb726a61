package initproc

import (
	"os"

	"golang.org/x/sys/unix"
)

// loopbackUp brings up lo in the calling thread's network namespace: the
// init does it in a network namespace config.json makes new, whose lo,
// like every new namespace's, is down (runc brings it up too). An ioctl
// on any socket of the namespace does it: no netlink library to link.
func loopbackUp() error {
	s, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return os.NewSyscallError("bring up lo: socket", err)
	}
	defer unix.Close(s)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(s, unix.SIOCGIFFLAGS, ifr); err != nil {
		return os.NewSyscallError("bring up lo: SIOCGIFFLAGS", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(s, unix.SIOCSIFFLAGS, ifr); err != nil {
		return os.NewSyscallError("bring up lo: SIOCSIFFLAGS", err)
	}
	return nil
}
