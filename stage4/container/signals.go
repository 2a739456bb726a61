package container

import (
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// signalName is "SIGTERM" for 15.
func signalName(s syscall.Signal) string {
	n := unix.SignalName(s)
	if n == "" {
		return ""
	}
	return strings.ToUpper(n)
}
